"""Representations: turn database rows into the bodies Nova 34 answers with.

One module per resource (:mod:`.servers`, :mod:`.instance_actions`); each
renders for the request's microversion and asks the request's context about
the policy-gated fields. :mod:`.links` builds the URLs and :mod:`.formats`
the timestamps and host ids both need.
"""
