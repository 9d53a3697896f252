"""Start-up checks of the configuration: every value valid, no unknown
option, a configuration file at all.

oslo.config checks a value only when it is read, so a bad one would
otherwise surface long after start (a worker thread, the first request).
Each check raises ConfigError with one sentence that names the option,
its file and value, and what to do.
"""
import difflib
import glob
from importlib import metadata
import os
import re

from keystoneauth1 import exceptions as ks_exceptions
from keystoneauth1 import loading as ks_loading
from oslo_config import cfg
import stevedore

from crashdump_server import exception

# The oslo.config.opts namespaces of the options crashdump reads (the
# ones doc/source/configuration/config.rst lists), plus keystonemiddleware's
# where it is installed. A namespace that is not installed is skipped.
NAMESPACES = ('crashdump', 'oslo.db', 'oslo.messaging', 'oslo.log',
              'oslo.policy', 'oslo.middleware',
              'keystonemiddleware.auth_token')


# Options that files written for earlier releases still carry, and that
# the libraries crashdump runs with no longer have: accepted with a
# warning, as Nova 34 accepts them, rather than refused as typos.
RETIRED = {
    ('oslo_policy', 'enforce_scope'):
        'oslo.policy 6 always checks scope types (as under Nova 34)',
}


def _location(exc):
    """The file a bad value came from, as oslo.config's message says
    (get_location would read the bad value again)."""
    found = re.search(r"detail='([^']*)'", str(exc))
    return found.group(1) if found else None


def check_values(conf):
    """Read every registered option; raises ConfigError for a value its
    type, choices or range refuse."""
    for group_name, names in _registered(conf).items():
        group = None if group_name == 'DEFAULT' else group_name
        for name in sorted(names):
            try:
                (conf[group] if group else conf)[name]
            except (cfg.ConfigFileValueError, ValueError) as exc:
                source = _location(exc)
                raise exception.ConfigError(
                    reason='[%s] %s%s%s is not valid: %s; correct it' % (
                        group_name, name, _raw_value(source, group_name,
                                                     name),
                        ' in %s' % source if source else '',
                        _reason(exc)))


def _raw_value(path, group_name, name):
    """' = <value as written>' from ``path``, or '' if it cannot say."""
    if not path:
        return ''
    sections = {}
    try:
        cfg.ConfigParser(path, sections).parse()
        return ' = %s' % sections[group_name][name][-1]
    except (cfg.Error, OSError, KeyError, IndexError):
        return ''


def _reason(exc):
    # oslo.config says "Value for option X from LocationInfo(...) is not
    # valid: <why>"; the why is what the operator needs.
    text = str(exc)
    return text.rsplit('is not valid: ', 1)[-1]


def _registered(conf):
    """{group name: set of option names} registered on ``conf``."""
    names = {'DEFAULT': set()}
    for key in conf.keys():
        try:
            value = conf[key]
        except (cfg.Error, ValueError):
            # Only an option's value can be wrong; check_values says so.
            value = None
        if isinstance(value, cfg.ConfigOpts.GroupAttr):
            names.setdefault(key, set()).update(value.keys())
        else:
            names['DEFAULT'].add(key)
    return names


def _known(conf):
    """{group: set of names} an operator may write: every option of
    NAMESPACES and of ``conf``, with their deprecated names."""
    known = _registered(conf)
    installed = {entry.name for entry in metadata.entry_points(
        group='oslo.config.opts')}
    manager = stevedore.named.NamedExtensionManager(
        'oslo.config.opts', names=[name for name in NAMESPACES
                                   if name in installed],
        invoke_on_load=False)
    for extension in manager:
        for group, opts in extension.plugin():
            group_name = getattr(group, 'name', group) or 'DEFAULT'
            for opt in opts:
                known.setdefault(group_name, set()).add(opt.dest)
                known[group_name].add(opt.name)
                for old in opt.deprecated_opts:
                    old_group = old.group or group_name
                    known.setdefault(old_group, set()).add(
                        old.name or opt.name)
    return known


def config_files(conf):
    """The files oslo.config read: each --config-file, then the *.conf of
    each --config-dir."""
    files = list(conf.config_file or [])
    for directory in conf.config_dirs:
        files += sorted(glob.glob(os.path.join(directory, '*.conf')))
    return files


def check_unknown(conf):
    """Raises ConfigError for a section or option no part of crashdump
    reads (a typo such as ``servers_flie``); returns a warning for each
    RETIRED option the files still set."""
    warnings = []
    known = _known(conf)
    for path in config_files(conf):
        sections = {}
        cfg.ConfigParser(path, sections).parse()
        for section, options in sections.items():
            group = 'DEFAULT' if section == 'DEFAULT' else section
            _add_auth_plugin_options(known, group, options)
            if group not in known:
                raise exception.ConfigError(reason=(
                    'unknown section [%s] in %s%s; correct or remove it' % (
                        section, path, _did_you_mean(section, known))))
            for option in options:
                if (group, option) in RETIRED:
                    warnings.append('[%s] %s in %s has no effect: %s; '
                                    'remove it' % (section, option, path,
                                                   RETIRED[group, option]))
                    continue
                if option not in known[group]:
                    raise exception.ConfigError(reason=(
                        'unknown option [%s] %s in %s%s; correct or remove '
                        'it' % (section, option, path,
                                _did_you_mean(option, known[group]))))
    return warnings


# keystoneauth1 registers an auth plugin's options (auth_url, username...)
# only when the plugin is loaded, from the section's auth_type (or its old
# name auth_plugin): keystonemiddleware's [keystone_authtoken] and any
# section read through keystoneauth1 do so.
_AUTH_TYPE_NAMES = ('auth_type', 'auth_plugin')


def _add_auth_plugin_options(known, group, options):
    """Add to ``known`` the options of the keystoneauth1 plugin that
    ``options`` (a parsed section) names, if any."""
    plugin = next((options[name][-1] for name in _AUTH_TYPE_NAMES
                   if options.get(name)), None)
    if plugin is None or group not in known:
        return
    try:
        plugin_opts = ks_loading.get_auth_plugin_conf_options(plugin)
    except ks_exceptions.NoMatchingPlugin:
        # The value itself is wrong; the section's reader says so.
        return
    for opt in plugin_opts + ks_loading.get_auth_common_conf_options():
        known[group].add(opt.dest)
        known[group].add(opt.name)
        for old in opt.deprecated_opts:
            known[group].add(old.name or opt.name)


def _did_you_mean(word, choices):
    close = difflib.get_close_matches(word, sorted(choices), n=1)
    return ' (did you mean %s?)' % close[0] if close else ''


def check_config_file_given(conf):
    """Raises ConfigError when no configuration file was found at all."""
    if not config_files(conf):
        raise exception.ConfigError(reason=(
            'no configuration file: give --config-file '
            '/etc/crashdump/crashdump.conf (or put it at that path); see '
            'the admin guide for a minimal one'))


def check_all(conf):
    """Every check above, in the order an operator would fix them; returns
    the warnings to log once logging is set up."""
    check_config_file_given(conf)
    warnings = check_unknown(conf)
    check_values(conf)
    return warnings
