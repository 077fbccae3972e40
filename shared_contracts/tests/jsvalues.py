"""JavaScript snippets that build values for the browser tests of the bus's walks."""


def shared_object_js(levels: int) -> str:
    """Declares `shared`: one object referenced 10^levels times (10 keys a level, all the same
    child), a few bytes to clone but huge to walk; `reads` counts reads of its members."""
    return f"""
        let reads = 0;
        let shared = {{ leaf: 1 }};
        for (let level = 0; level < {levels}; level += 1) {{
          const node = {{}};
          for (let k = 0; k < 10; k += 1) node[`k${{k}}`] = shared;
          shared = new Proxy(node, {{ get: (target, key) => ((reads += 1), target[key]) }});
        }}
    """
