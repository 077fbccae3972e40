"""`python -m host_app`: run the host on its production server."""

from mfe_platform.serving import serve

if __name__ == "__main__":
    serve("host", "host_app:create_app")
