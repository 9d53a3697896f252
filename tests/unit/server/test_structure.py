"""The server's shape: no import cycles, no module over ~400 lines."""
import ast
import os

import testtools

import crashdump_server

PACKAGE = 'crashdump_server'
ROOT = os.path.dirname(crashdump_server.__file__)
MAX_LINES = 420


def modules():
    """module name -> path of every module of the package."""
    found = {}
    for directory, _dirs, files in os.walk(ROOT):
        for name in files:
            if not name.endswith('.py'):
                continue
            path = os.path.join(directory, name)
            relative = os.path.relpath(path, os.path.dirname(ROOT))[:-3]
            parts = relative.split(os.sep)
            if parts[-1] == '__init__':
                parts.pop()
            found['.'.join(parts)] = path
    return found


def imports(path, known):
    """The package's modules that the module at ``path`` imports."""
    with open(path) as stream:
        tree = ast.parse(stream.read())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update('%s.%s' % (node.module, alias.name)
                         for alias in node.names)
    return {name for name in names if name in known}


def find_cycle(graph):
    """One import cycle as a list of modules, or None."""
    state = {}

    def visit(module, stack):
        state[module] = 'open'
        stack.append(module)
        for other in sorted(graph[module]):
            if state.get(other) == 'open':
                return stack[stack.index(other):] + [other]
            if other not in state:
                cycle = visit(other, stack)
                if cycle:
                    return cycle
        stack.pop()
        state[module] = 'done'
        return None

    for module in sorted(graph):
        if module not in state:
            cycle = visit(module, [])
            if cycle:
                return cycle
    return None


class StructureTest(testtools.TestCase):

    def test_no_import_cycle(self):
        known = modules()
        graph = {name: imports(path, known) - {name}
                 for name, path in known.items()}
        # A package's __init__ importing its own modules is no cycle of
        # the code's layers; only the modules' own imports count.
        for name in graph:
            graph[name] = {other for other in graph[name]
                           if not name.startswith(other + '.')}
        self.assertIsNone(find_cycle(graph))

    def test_the_cycle_finder_finds_one(self):
        self.assertEqual(['a', 'b', 'a'],
                         find_cycle({'a': {'b'}, 'b': {'a'}}))
        self.assertIsNone(find_cycle({'a': {'b'}, 'b': set()}))

    def test_modules_stay_short(self):
        too_long = []
        for name, path in modules().items():
            with open(path) as stream:
                count = sum(1 for _line in stream)
            if count > MAX_LINES:
                too_long.append((name, count))
        self.assertEqual([], too_long)
