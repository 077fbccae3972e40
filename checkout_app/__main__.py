"""`python -m checkout_app --release N`: run one release on its production server."""

from mfe_platform.serving import serve

if __name__ == "__main__":
    serve("checkout", "checkout_app:create_app")
