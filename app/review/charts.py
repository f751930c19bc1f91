"""Charts as PNG images, rendered from Vega-Lite specs with vl-convert (no browser, no network)."""

import json
import struct
from functools import lru_cache

import vl_convert

SCALE = 2  # pixels per CSS pixel: sharp in print and on high-density screens


def png(spec: dict) -> bytes:
    """The chart as a PNG; the same spec is rendered once per process however many formats need it."""
    return _render(json.dumps(spec, sort_keys=True))


@lru_cache(maxsize=64)
def _render(spec_json: str) -> bytes:
    return vl_convert.vegalite_to_png(json.loads(spec_json), scale=SCALE)


def size(image: bytes) -> tuple[int, int]:
    """Width and height in pixels, read from the PNG header."""
    return struct.unpack(">II", image[16:24])
