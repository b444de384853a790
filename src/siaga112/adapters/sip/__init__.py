"""The SIP adapter: the node that answers the trunk and rings the call-takers' phones.

Its own small SIP stack (docs/adr/0004-sip-stack.md): UDP and TCP, one thread, the rest
of the system sees call events only (services/switchboard.py).
"""
