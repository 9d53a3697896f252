"""Command-line values both CLIs check the same way, before anything is
sent."""

import argparse


def positive(kind):
    """An argparse type: a ``kind`` (int or float) above 0.

    A zero or negative count or duration is a mistake, never a request for
    "none" or "no limit", so it is refused with the command's own usage.
    """
    def parse(text):
        value = kind(text)
        if value <= 0:
            raise argparse.ArgumentTypeError("must be more than 0")
        return value
    parse.__name__ = kind.__name__
    return parse
