"""What a domain's XML says about the server it is: owner, name, lock, console.

Owners are read, in this order, from

1. Nova's instance metadata, as the Nova libvirt driver writes it::

     <metadata>
       <nova:instance xmlns:nova="http://openstack.org/xmlns/libvirt/nova/1.1">
         <nova:name>web-1</nova:name>
         <nova:creationTime>2024-05-01 10:00:00</nova:creationTime>
         <nova:flavor name="m1.small">...</nova:flavor>
         <nova:owner>
           <nova:user uuid="USER_ID">alice</nova:user>
           <nova:project uuid="PROJECT_ID">demo</nova:project>
         </nova:owner>
       </nova:instance>
     </metadata>

2. crashdump's own element, for domains no Nova manages::

     <crashdump:server xmlns:crashdump="urn:crashdump:libvirt:1.0"
                       project="PROJECT_ID" user="USER_ID" name="web-1"
                       locked="true" locked-reason="kernel debugging"/>

   (``virsh metadata DOMAIN urn:crashdump:libvirt:1.0 --key crashdump
   --set '<server project="..." user="..."/>' --live --config`` sets it
   without a restart.) The ``locked`` attribute is the only way a domain gets
   locked: libvirt itself has no such notion.

3. The ``[libvirt] default_project_id`` / ``default_user_id`` options.

A domain with no owner at all belongs to no project: only admins see it.
"""
import dataclasses
import datetime
from xml.etree import ElementTree

NOVA_NS = 'http://openstack.org/xmlns/libvirt/nova/1.1'
CRASHDUMP_NS = 'urn:crashdump:libvirt:1.0'

OWNER_NOVA = 'nova'
OWNER_CRASHDUMP = 'crashdump'
OWNER_DEFAULT = 'default'

_TRUE = ('1', 'true', 'yes', 'on')
_NOVA_TIME_FORMAT = '%Y-%m-%d %H:%M:%S'
_MEMORY_UNITS = {'b': 1, 'bytes': 1, 'k': 1024, 'kib': 1024, 'kb': 1000,
                 'm': 1024 ** 2, 'mib': 1024 ** 2, 'mb': 1000 ** 2,
                 'g': 1024 ** 3, 'gib': 1024 ** 3, 'gb': 1000 ** 3}


@dataclasses.dataclass
class DomainFacts:
    """The parts of a domain's XML that make up a server record."""
    name: str
    display_name: str
    project_id: str = None
    user_id: str = None
    owner_source: str = None
    locked: bool = False
    locked_reason: str = None
    created_at: datetime.datetime = None
    console_log: str = None
    vcpus: int = 0
    memory_mb: int = 0
    flavor_name: str = ''


def parse_domain(xml, default_project_id=None, default_user_id=None):
    """The DomainFacts of a domain's XML description (``XMLDesc(0)``).

    Raises ValueError when ``xml`` is not a domain description.
    """
    try:
        root = ElementTree.fromstring(xml)
    except ElementTree.ParseError as exc:
        raise ValueError('domain XML does not parse: %s' % exc)
    if root.tag != 'domain':
        raise ValueError('not a domain description: <%s>' % root.tag)
    name = root.findtext('name') or ''
    facts = DomainFacts(name=name, display_name=name)
    facts.console_log = console_log_path(root)
    facts.vcpus = _int(root.findtext('vcpu'))
    facts.memory_mb = _memory_mb(root.find('memory'))
    nova = root.find('metadata/{%s}instance' % NOVA_NS)
    ours = root.find('metadata/{%s}server' % CRASHDUMP_NS)
    if nova is not None:
        _read_nova(nova, facts)
    if ours is not None:
        _read_crashdump(ours, facts)
    if facts.project_id is None and default_project_id:
        facts.project_id = default_project_id
        facts.user_id = facts.user_id or default_user_id
        facts.owner_source = OWNER_DEFAULT
    return facts


def _read_nova(element, facts):
    ns = {'nova': NOVA_NS}
    facts.display_name = (element.findtext('nova:name', namespaces=ns)
                          or facts.display_name)
    created = element.findtext('nova:creationTime', namespaces=ns)
    if created:
        try:
            facts.created_at = datetime.datetime.strptime(
                created.strip(), _NOVA_TIME_FORMAT)
        except ValueError:
            pass
    flavor = element.find('nova:flavor', namespaces=ns)
    if flavor is not None:
        facts.flavor_name = flavor.get('name', '')
    project = element.find('nova:owner/nova:project', namespaces=ns)
    user = element.find('nova:owner/nova:user', namespaces=ns)
    if project is not None and project.get('uuid'):
        facts.project_id = project.get('uuid')
        facts.user_id = user.get('uuid') if user is not None else None
        facts.owner_source = OWNER_NOVA


def _read_crashdump(element, facts):
    # Nova's owner wins: Nova is the authority on the servers it built, and
    # a stale crashdump element must not hand them to another project.
    if facts.owner_source is None and element.get('project'):
        facts.project_id = element.get('project')
        facts.user_id = element.get('user')
        facts.owner_source = OWNER_CRASHDUMP
    if element.get('name'):
        facts.display_name = element.get('name')
    facts.locked = (element.get('locked') or '').strip().lower() in _TRUE
    facts.locked_reason = element.get('locked-reason') if facts.locked \
        else None


def console_log_path(root):
    """The file the guest's serial console is logged to, or None.

    Both ways libvirt logs a console count: a ``type='file'`` serial or
    console, and a ``<log file=.../>`` inside any serial or console (what
    Nova writes for its console.log).
    """
    for device in root.findall('devices/serial') + root.findall(
            'devices/console'):
        if device.get('type') == 'file':
            source = device.find('source')
            if source is not None and source.get('path'):
                return source.get('path')
        log = device.find('log')
        if log is not None and log.get('file'):
            return log.get('file')
    return None


def _int(text):
    try:
        return int(text.strip())
    except (AttributeError, ValueError):
        return 0


def _memory_mb(element):
    if element is None:
        return 0
    unit = _MEMORY_UNITS.get((element.get('unit') or 'KiB').lower(), 1024)
    return _int(element.text) * unit // 1024 ** 2
