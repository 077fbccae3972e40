"""What the three apps share to run: Flask plumbing, settings, serving, the bus client."""
