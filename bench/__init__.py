"""The performance benchmark, beside the product (not installed): ``python -m bench --help``."""
