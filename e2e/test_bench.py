"""`make bench` runs end to end: every section is measured and reported (timings not judged)."""

import json
import shutil
import subprocess
import sys

from e2e.processes import PROCESSES, REPOSITORY

REQUIRED = {
    "bus latency": [
        "bus-echo",
        "bus-full",
        "raw-echo-port",
        "raw-relay-port",
        "raw-echo-window",
        "raw-relay-window",
        "ratio:bus-echo/raw-echo-port",
        "ratio:bus-full/raw-relay-port",
        # Issue 18's peer and targets 1-3.
        "penpal-checkout",
        "penpal-products",
        "bus-notify",
        "raw-relay-verdict-port",
        "ratio:bus-echo/penpal-checkout",
        "ratio:bus-notify/bus-echo",
        "ratio:bus-full/raw-relay-verdict-port",
    ],
    "throughput": [
        "burst-bus",
        "burst-bus-conv",
        "burst-raw-port",
        "ratio:burst-bus/raw",
        "ratio:burst-conv/raw",
        "burst-raw-verdict",
        "ratio:burst-bus/raw-verdict",
    ],
    "composition": ["ready", "bare-ready", "ratio:ready/bare-ready", "fallback"],
    "server": [
        "get-cart:procfile",
        "post-item:procfile",
        "get-cart:workers",
        "post-item:workers",
        "get-cart:dev",
        "post-item:dev",
    ],
    "websockets": ["deployments:alone", "deployments:sockets", "sockets-alive"],
    "memory": [f"memory:{name}" for name in PROCESSES] + ["memory:total", "memory:total:end"],
}


def run_bench(tmp_path, *args: str) -> tuple[subprocess.CompletedProcess, dict]:
    """`python -m bench --quick ARGS`; its process and its results.json, once it exits 0."""
    output, docs = tmp_path / "results.json", tmp_path / "performance.md"
    command = [sys.executable, "-m", "bench", "--quick", "--output", str(output)]
    run = subprocess.run(
        [*command, "--docs", str(docs), *args],
        cwd=REPOSITORY,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-5000:]
    return run, json.loads(output.read_text())


def test_make_bench_quick_runs_end_to_end(tmp_path):
    """`python -m bench --quick` (what `make bench` runs, with tiny samples) exits 0 and
    writes results.json and the results section of performance.md with every section."""
    run, results = run_bench(tmp_path)
    docs = tmp_path / "performance.md"
    meta = results["meta"]
    assert meta["browser"].startswith("Chromium ")
    assert meta["cores"] >= 1
    figures = results["figures"]
    by_key = {f["key"]: f for f in figures}
    for section, keys in REQUIRED.items():
        for key in keys:
            assert key in by_key, f"{section}: no figure {key}"
            assert by_key[key]["section"] == section
    for fig in figures:
        assert fig["unit"] is not None and isinstance(fig["samples"], int), fig
        assert "value" in fig, fig
    for key in ("bus-echo", "bus-full", "bus-notify", "penpal-checkout", "ready", "bare-ready"):
        assert {"p50", "p95", "p99"} <= by_key[key].keys()
        assert by_key[key]["samples"] > 0
    for key in ("get-cart:procfile", "post-item:procfile", "deployments:sockets"):
        assert {"p50", "p95", "p99"} <= by_key[key]["latency_ms"].keys()
    assert all(by_key[f"memory:{name}"]["processes"] >= 1 for name in PROCESSES)
    # Every target of issue 18 is reported with its verdict, met or not.
    for key in ("ratio:bus-echo/penpal-checkout", "ratio:ready/bare-ready", "memory:total"):
        assert by_key[key]["target"] and by_key[key]["meets"] in (True, False)
    # The inspector is measured when the host serves it, and said to be missing otherwise.
    assert "inspector" in by_key or "bus-full:inspector-open" in by_key

    text = docs.read_text()
    assert "<!-- results:start -->" in text and "<!-- results:end -->" in text
    assert "| figure | value | unit | p50 | p95 | p99 | n | target | ok |" in text
    assert "emit round trip" in text
    assert "section" in run.stdout and "memory" in run.stdout
    # HTTP load comes from wrk when it is installed (CI installs it), from Python otherwise.
    generator = by_key["get-cart:procfile"]["load_generator"]
    assert generator.startswith("wrk" if shutil.which("wrk") else "python"), generator
    assert by_key["post-item:procfile"]["carts"] > 0


def test_bench_python_load_generator(tmp_path):
    """`--load-generator python` measures the servers without wrk, and checks every insert."""
    _, results = run_bench(
        tmp_path, "--skip", "bus", "composition", "sockets", "memory", "--load-generator", "python"
    )
    by_key = {f["key"]: f for f in results["figures"]}
    assert set(by_key) == set(REQUIRED["server"])
    for fig in by_key.values():
        assert fig["load_generator"].startswith("python"), fig
        assert fig["samples"] > 0 and fig["value"] > 0
    post = by_key["post-item:procfile"]
    assert post["lost"] == 0 and post["doubled"] == 0 and post["carts"] > 0


def test_pure_javascript_measurement_runs(tmp_path):
    """`python -m bench.purejs` runs the real router and clients without messaging, checks that
    checkout handled every event, and prints a figure per path."""
    run = subprocess.run(
        [sys.executable, "-m", "bench.purejs", "--rounds", "2", "--events", "50"],
        cwd=REPOSITORY,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-3000:]
    lines = run.stdout.splitlines()
    assert lines[0].startswith("Chromium "), run.stdout
    assert [line.split()[0] for line in lines[1:]] == ["echo", "full"], run.stdout
