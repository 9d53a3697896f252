"""The request context: who is asking, and the database session provider."""
from oslo_context import context
from oslo_db.sqlalchemy import enginefacade

from crashdump_server import policy


@enginefacade.transaction_context_provider
class RequestContext(context.RequestContext):
    """oslo.context's context, usable with ``db.api`` transactions."""

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
