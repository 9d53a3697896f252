"""The request context: who is asking, and what policy lets them do."""
from oslo_context import context

from crashdump_server import policy


class RequestContext(context.RequestContext):
    """oslo.context's context, with the policy check at hand."""

    def can(self, rule, target=None, fatal=True):
        """Check the policy ``rule`` for this context.

        ``target`` defaults to this context's own project and user. Returns
        True or False when ``fatal`` is False; otherwise raises
        :class:`crashdump_server.exception.PolicyNotAuthorized`.
        """
        if target is None:
            target = {'project_id': self.project_id, 'user_id': self.user_id}
        return policy.authorize(self, rule, target, fatal=fatal)


def get_admin_context():
    """A context for the service itself: admin, no user, no project."""
    return RequestContext(user_id=None, project_id=None, roles=['admin'],
                          is_admin=True, overwrite=False)
