"""The policy enforcer: one per process, rules in code plus the policy file.

Every check goes through :func:`authorize` (``RequestContext.can`` calls it).
The rules come from :mod:`crashdump_server.policies`; an operator overrides
any of them in the YAML file named by ``[oslo_policy] policy_file``
(``policy.yaml`` beside the configuration file by default), which oslo.policy
re-reads when it changes.

``[oslo_policy] enforce_new_defaults`` and scope enforcement are on, as in
Nova 34: crashdump registers no deprecated rules, and every API rule accepts
project-scoped tokens only, so a system-scoped token is refused with the
same 403 as a denied rule.
"""
import threading
import time

from oslo_config import cfg
from oslo_log import log as logging
from oslo_policy import opts as policy_opts
from oslo_policy import policy as oslo_policy

from crashdump_server import exception
from crashdump_server import policies

CONF = cfg.CONF
LOG = logging.getLogger(__name__)

# Both are oslo.policy's own defaults in every release crashdump accepts;
# saying so here keeps them on if a packager's older library differs.
# oslo.policy 6 dropped the enforce_scope option (scope is always checked),
# and set_defaults ignores a name the library no longer has.
policy_opts.set_defaults(CONF, enforce_new_defaults=True, enforce_scope=True)

_ENFORCER = None
_ENFORCER_LOCK = threading.Lock()
# How often the policy file (and policy.d) is looked at for changes.
RELOAD_INTERVAL = 1.0


# What a check decided, remembered per rule, credentials and target.
ALLOWED, DENIED, OUT_OF_SCOPE = 'allowed', 'denied', 'out of scope'
# Most decisions remembered; past this the memory starts afresh.
MAX_DECISIONS = 4096


class _Denied(Exception):
    """oslo.policy's exception of choice for a denial in _Enforcer.decide."""

    def __init__(self, *args, **kwargs):
        super().__init__()


class _Enforcer(oslo_policy.Enforcer):
    """oslo.policy's enforcer, looking for policy file changes at most once
    every RELOAD_INTERVAL seconds instead of on every check (each look
    searches every configuration directory), and remembering its
    decisions until the next look.

    A decision depends only on the rules, the credentials and the target,
    and on the API's hot path these repeat (the same user, roles and
    project acting on their project's servers), while evaluating a rule
    costs oslo.policy an ``inspect.getfullargspec`` per check it walks.
    """

    _last_load = float('-inf')

    def __init__(self, *args, **kwargs):
        self._decisions = {}
        super().__init__(*args, **kwargs)

    def load_rules(self, force_reload=False):
        now = time.monotonic()
        if not force_reload and now - self._last_load < RELOAD_INTERVAL:
            return
        super().load_rules(force_reload)
        self._last_load = now
        # The look may have changed rules in place: forget every decision.
        self._decisions = {}

    def set_rules(self, *args, **kwargs):
        super().set_rules(*args, **kwargs)
        self._decisions = {}

    def clear(self):
        super().clear()
        self._decisions = {}

    def decide(self, rule, target, creds):
        """ALLOWED, DENIED or OUT_OF_SCOPE (the token's scope is not one
        the rule accepts) for ``rule``; raises PolicyNotRegistered."""
        self.load_rules()
        decisions = self._decisions
        key = _decision_key(rule, target, creds)
        decision = decisions.get(key) if key is not None else None
        if decision is None:
            try:
                self.authorize(rule, target, creds, do_raise=True,
                               exc=_Denied)
                decision = ALLOWED
            except oslo_policy.InvalidScope:
                decision = OUT_OF_SCOPE
            except _Denied:
                decision = DENIED
            if key is not None:
                if len(decisions) >= MAX_DECISIONS:
                    decisions.clear()
                decisions[key] = decision
        return decision


def _frozen(mapping):
    return tuple(sorted(
        (name, tuple(value) if isinstance(value, list) else value)
        for name, value in mapping.items()))


def _decision_key(rule, target, creds):
    """A hashable key of everything a decision depends on besides the
    rules; None when a value cannot be hashed (then nothing is kept)."""
    key = (rule, _frozen(target), _frozen(creds))
    try:
        hash(key)
    except TypeError:
        return None
    return key


def init(policy_file=None, rules=None, use_conf=True):
    """Return the process's enforcer, building it on the first call.

    ``policy_file`` replaces ``[oslo_policy] policy_file``; ``rules`` (a
    dict of rule name to parsed check) seeds the rules; ``use_conf=False``
    ignores the policy file. The arguments count only on the call that
    builds the enforcer; call :func:`reset` first to rebuild it. Before the
    configuration is parsed there is no policy file to find: the enforcer
    then has the defaults in code only, and says so in a warning.
    """
    global _ENFORCER
    if _ENFORCER is None:
        with _ENFORCER_LOCK:
            # Another thread may have built it while this one waited.
            if _ENFORCER is None:
                if use_conf and not _config_parsed():
                    LOG.warning('Configuration not loaded yet: policy '
                                'checks use the defaults in code and '
                                'ignore any policy file.')
                    use_conf = False
                enforcer = _Enforcer(
                    CONF, policy_file=policy_file, rules=rules,
                    use_conf=use_conf)
                enforcer.register_defaults(policies.list_rules())
                enforcer.load_rules()
                if not use_conf:
                    # load_rules adds the registered defaults only on its
                    # way through the policy file; without one, add them.
                    for name, default in enforcer.registered_rules.items():
                        enforcer.rules.setdefault(name, default.check)
                # Publish only a complete enforcer to other threads.
                _ENFORCER = enforcer
    return _ENFORCER


def _config_parsed():
    # oslo.policy looks for the policy file beside the configuration files,
    # which an unparsed CONF cannot tell it (NotInitializedError).
    try:
        CONF.find_file(CONF.oslo_policy.policy_file)
    except cfg.NotInitializedError:
        return False
    return True


def reset():
    """Forget the enforcer, so the next check builds a fresh one (tests)."""
    global _ENFORCER
    with _ENFORCER_LOCK:
        if _ENFORCER is not None:
            _ENFORCER.clear()
            _ENFORCER = None


def set_rules(rules):
    """Replace some check strings in memory, for tests.

    ``rules`` maps rule names to check strings, e.g.
    ``{'os_compute_api:servers:show': '!'}``; the other rules keep their
    current values. The policy file is no longer read afterwards;
    :func:`reset` undoes everything.
    """
    enforcer = init()
    parsed = oslo_policy.Rules.from_dict(rules)
    enforcer.set_rules(dict(parsed), overwrite=False, use_conf=False)


def default_target(context):
    """The target used when a caller gives none: the caller's own project."""
    return {'project_id': context.project_id, 'user_id': context.user_id}


def _credentials(context):
    creds = dict(context.to_policy_values())
    # Lets an operator's file use Nova's older "is_admin:True" checks.
    creds.setdefault('is_admin', bool(context.is_admin))
    return creds


def authorize(context, rule, target=None, fatal=True):
    """Check the registered ``rule`` for ``context`` against ``target``.

    ``target`` is a dict such as ``{'project_id': server.project_id}``;
    None means :func:`default_target`. Returns True when allowed. When
    denied, or when the token's scope is not one the rule accepts, raises
    :class:`~crashdump_server.exception.PolicyNotAuthorized` if ``fatal``,
    else returns False. A rule that is not registered is a programming
    error whatever ``fatal`` says: raises
    ``oslo_policy.policy.PolicyNotRegistered``.
    """
    enforcer = init()
    if target is None:
        target = default_target(context)
    creds = _credentials(context)
    try:
        decision = enforcer.decide(rule, target, creds)
    except oslo_policy.PolicyNotRegistered:
        LOG.error('Policy rule %s is checked but not registered; add it to '
                  'crashdump_server.policies.', rule)
        raise
    if decision == ALLOWED:
        return True
    if decision == OUT_OF_SCOPE:
        LOG.debug('Policy %(rule)s refused: token scope not accepted, '
                  'credentials %(creds)s', {'rule': rule, 'creds': creds})
    else:
        LOG.debug('Policy %(rule)s refused for credentials %(creds)s',
                  {'rule': rule, 'creds': creds})
    if fatal:
        raise exception.PolicyNotAuthorized(action=rule)
    return False


def check_is_admin(context):
    """Return True if ``context`` passes ``context_is_admin``.

    Authentication middleware uses this to set ``context.is_admin``; it
    never raises for a denial and ignores the token's scope, as Nova does.
    """
    enforcer = init()
    creds = _credentials(context)
    return enforcer.decide('context_is_admin', default_target(context),
                           creds) == ALLOWED


def get_enforcer():
    """Return the enforcer for the oslopolicy-* tools (entry point).

    The tools have parsed the global CONF with their own command line. If
    that named no ``--config-file``, CONF is parsed again for project
    ``crashdump`` so that /etc/crashdump/crashdump.conf and the policy file
    beside it are found, as the running service would find them.
    """
    try:
        config_files = CONF.config_file
    except cfg.NoSuchOptError:
        config_files = None
    if not config_files:
        CONF([], project='crashdump')
    return init()
