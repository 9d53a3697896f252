"""Summarise py-spy's collapsed stacks (``--format raw``) by function.

``python stacks.py FILE [--top N] [--match TEXT]`` prints the functions
with the largest inclusive and self share of the samples, so a profile of
the server reads as "where the time goes" without a flame graph viewer.
"""
import argparse
import collections
import re

# py-spy frames look like "function (path/to/file.py:123)".
_FRAME = re.compile(r'^(?P<func>.*?) \((?P<file>[^:()]+)(?::\d+)?\)$')


def _short(frame, keep_lines=False):
    match = _FRAME.match(frame)
    if not match:
        return frame
    path = match.group('file')
    for marker in ('site-packages/', 'lib/python3.', 'crashdump_server/'):
        if marker in path:
            path = path.split(marker, 1)[1]
            break
    return '%s (%s)' % (match.group('func'), path)


def summarise(path, match=None):
    """(total samples, inclusive Counter, self Counter) of a raw file.

    With ``match``, only stacks containing that text count.
    """
    inclusive, own = collections.Counter(), collections.Counter()
    total = 0
    with open(path) as stream:
        for line in stream:
            stack, _, count = line.rstrip('\n').rpartition(' ')
            if not stack or not count.isdigit():
                continue
            if match and match not in stack:
                continue
            count = int(count)
            frames = [_short(f) for f in stack.split(';')
                      if not f.startswith(('thread (', 'process '))]
            total += count
            for frame in set(frames):
                inclusive[frame] += count
            if frames:
                own[frames[-1]] += count
    return total, inclusive, own


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('file')
    parser.add_argument('--top', type=int, default=40)
    parser.add_argument('--match', help='only stacks containing this text')
    args = parser.parse_args(argv)
    total, inclusive, own = summarise(args.file, args.match)
    print('%d samples' % total)
    for title, counter in (('inclusive', inclusive), ('self', own)):
        print('\n%s:' % title)
        for frame, count in counter.most_common(args.top):
            print('%6.1f%%  %s' % (100.0 * count / max(total, 1), frame))
    return 0


if __name__ == '__main__':
    raise SystemExit(main())
