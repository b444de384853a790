"""Media: the relay in the call's path (rtpengine) and the recordings it writes."""
