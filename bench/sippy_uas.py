"""sippy 2.5.0 as a bare answering server (180, then 200; BYE answered): the comparison in
docs/adr/0004-sip-stack.md. Not part of Siaga112; needs a Python with sippy installed:

    python3.11 -m venv /tmp/sippy && /tmp/sippy/bin/pip install sippy==2.5.0
    python bench/sip_intake.py --compare-sippy /tmp/sippy/bin/python ...
"""
import sys
from sippy.UA import UA
from sippy.CCEvents import CCEventTry, CCEventRing, CCEventConnect
from sippy.SipConf import SipConf
from sippy.SipTransactionManager import SipTransactionManager
from sippy.Udp_server import Udp_server_opts
from sippy.Core.EventDispatcher import ED2
from sippy.MsgBody import MsgBody

SDP = "v=0\r\no=sippy 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 40000 RTP/AVP 8\r\na=rtpmap:8 PCMA/8000\r\n"

class QuietLogger:  # sippy's logger writes every message: not what is measured here
    def write(self, *args, **kwargs):
        pass


class Answer:
    def __init__(self, gc):
        self.ua = UA(gc, self.recv)
    def recv(self, event, ua):
        if isinstance(event, CCEventTry):
            ua.recvEvent(CCEventRing((180, "Ringing", None)))
            ua.recvEvent(CCEventConnect((200, "OK", MsgBody(SDP))))

def main():
    port = int(sys.argv[1])
    gc = {"_sip_address": "127.0.0.1", "_sip_port": port, "_sip_logger": QuietLogger()}
    SipConf.my_address, SipConf.my_port = "127.0.0.1", port
    class Opts(Udp_server_opts):
        nworkers = 1
    def incoming(req, sip_t):
        if req.getMethod() == "INVITE" and req.getHFBody("to").getTag() is None:
            return Answer(gc).ua.recvRequest(req, sip_t)
        if req.getHFBody("to").getTag() is not None:
            return (req.genResponse(481, "Call Leg/Transaction Does Not Exist"), None, None)
        return (req.genResponse(501, "Not Implemented"), None, None)
    SipTransactionManager.model_udp_server = (SipTransactionManager.model_udp_server[0], Opts)
    gc["_sip_tm"] = SipTransactionManager(gc, incoming)
    ED2.loop()

main()
