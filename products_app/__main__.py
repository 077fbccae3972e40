"""`python -m products_app --release N`: run one release on its production server."""

from mfe_platform.serving import serve

if __name__ == "__main__":
    serve("products", "products_app:create_app")
