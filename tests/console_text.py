"""Reading what the CLI printed as words, whatever the terminal's width and the temporary path's length.

Rich draws error messages in a box and wraps them at the terminal's width, so one sentence can be cut by
line breaks and box edges anywhere; a test compares words with the edges and breaks taken out."""

import re

BOX = re.compile(r"[│╭╮╰╯─]")


def words(output: str) -> str:
    return " ".join(BOX.sub(" ", output).split())
