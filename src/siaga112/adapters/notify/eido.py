"""An incident as an EIDO document (NENA-STA-021.1, JSON), for agencies and the API.

Components are cross-referenced by `{"$ref": id}`: the incident, its location (PIDF-LO by
value: a GML point and a civic address), the center and each agency involved, the people
and crews acting (agents), every dispatch and dispatched unit (emergency resources),
notes, and the calls (never with the caller's number: UU 27/2022). Registry values are
mapped from the center's own codes, which also travel as `...InternalText`. The schema
this is checked against is in `eido_schema/` (docs/dispatch.md names what is sent).
"""

from __future__ import annotations

import html
import json
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from siaga112.config import CenterConfig
from siaga112.domain.calls import Call
from siaga112.domain.dispatch import Assignment
from siaga112.domain.errors import NotFound
from siaga112.domain.geo import GeoPoint
from siaga112.domain.incidents import Incident
from siaga112.domain.organization import Agency, Station
from siaga112.domain.units import Unit
from siaga112.services.ports import UnitOfWork

EIDO_VERSION = "1.0"
AGENCY_TYPES = {"fire": "fire", "health": "ems", "red_cross": "ems", "police": "police",
                "search_and_rescue": "mountain_rescue", "disaster": "fire"}
INCIDENT_TYPES = {"fire": "Fire", "medical": "Medical", "accident": "Traffic",
                  "natural_disaster": "Disaster", "rescue": "Rescue", "crime": "Law",
                  "domestic_violence": "Law", "social_unrest": "Law", "public_order": "Law"}
INCIDENT_STATUS = {"new": "Pending", "verified": "Pending", "dispatched": "Dispatched",
                   "on_scene": "OnScene", "resolved": "Resolved", "closed": "Closed",
                   "cancelled": "Cancelled", "false_alarm": "Cancelled"}
UNIT_STATUS = {"available": "Available", "dispatched": "Dispatched", "en_route": "Enroute",
               "on_scene": "OnScene", "transporting": "Transporting",
               "returning": "Returning", "out_of_service": "OutOfService"}
RESOURCE_TYPES = {"fire_engine": "Engine", "ambulance": "Ambulance", "patrol": "Patrol",
                  "rescue_team": "Rescue", "rescue_vehicle": "Rescue", "rescue_boat": "Boat",
                  "repair_crew": "Utility"}
NS = {"": "urn:ietf:params:xml:ns:pidf", "gp": "urn:ietf:params:xml:ns:pidf:geopriv10",
      "gml": "http://www.opengis.net/gml",
      "ca": "urn:ietf:params:xml:ns:pidf:geopriv10:civicAddr"}


class _Ids:
    def __init__(self, center: CenterConfig) -> None:
        self.domain = f"{center.center.code}.siaga112"

    def incident(self, incident: Incident) -> str:
        return f"urn:emergency:uid:incidentid:{incident.id.hex}:{self.domain}"

    def center(self) -> str:
        return f"callcenter112.{self.domain}"

    def agency(self, code: str) -> str:
        return f"{code}.{self.domain}"

    def agent(self, username: str) -> str:
        return f"{username.replace(':', '.')}@{self.domain}"

    def crew(self, unit_code: str) -> str:
        return f"crew.{unit_code}@{self.domain}"

    def resource(self, unit_code: str) -> str:
        return f"urn:emergency:uid:resourceid:{unit_code}:{self.domain}"

    def call(self, call: Call) -> str:
        return f"urn:emergency:uid:callid:{call.id.hex}:{self.domain}"


def _ts(at: datetime, center: CenterConfig) -> str:
    return at.astimezone(center.zone).isoformat(timespec="milliseconds")


def _ref(value: str) -> dict[str, str]:
    return {"$ref": value}


def pidf_lo(entity: str, point: GeoPoint | None, civic: dict[str, str], at: str) -> str:
    """A PIDF-LO presence document (RFC 4119/5491): GML point and civic address (RFC 5139)."""
    for prefix, uri in NS.items():
        ET.register_namespace(prefix, uri)
    presence = ET.Element(f"{{{NS['']}}}presence", {"entity": entity})
    tup = ET.SubElement(presence, f"{{{NS['']}}}tuple", {"id": "location"})
    status = ET.SubElement(tup, f"{{{NS['']}}}status")
    geopriv = ET.SubElement(status, f"{{{NS['gp']}}}geopriv")
    info = ET.SubElement(geopriv, f"{{{NS['gp']}}}location-info")
    if point is not None:
        gml = ET.SubElement(info, f"{{{NS['gml']}}}Point",
                            {"srsName": "urn:ogc:def:crs:EPSG::4326"})
        ET.SubElement(gml, f"{{{NS['gml']}}}pos").text = f"{point.lat:.6f} {point.lon:.6f}"
    if civic:
        address = ET.SubElement(info, f"{{{NS['ca']}}}civicAddress")
        for key, value in civic.items():
            ET.SubElement(address, f"{{{NS['ca']}}}{key}").text = value
    rules = ET.SubElement(geopriv, f"{{{NS['gp']}}}usage-rules")
    ET.SubElement(rules, f"{{{NS['gp']}}}retransmission-allowed").text = "false"
    ET.SubElement(tup, f"{{{NS['']}}}timestamp").text = at
    return ET.tostring(presence, encoding="unicode")


def build_eido(*, center: CenterConfig, incident: Incident, assignments: Sequence[Assignment],
               units: dict[str, Unit], agencies: Sequence[Agency], stations: Sequence[Station],
               calls: Sequence[Call], now: datetime) -> dict[str, Any]:
    ids = _Ids(center)
    center_ref = _ref(ids.center())
    prologue = {"updatedByAgencyReference": center_ref}
    agents: dict[str, dict[str, Any]] = {}

    def agent(username: str | None, role: str) -> dict[str, str] | None:
        if not username:
            return None
        agent_id = ids.agent(username)
        agents.setdefault(agent_id, {
            "$id": agent_id, "lastUpdateTimeStamp": _ts(now, center), **prologue,
            "agentRoleRegistryText": [role], "agencyReference": center_ref})
        return _ref(agent_id)

    gazetteer = center.gazetteer
    kel = {k.code: k.name for k in gazetteer.kelurahan}
    kec = {k.code: k.name for k in gazetteer.kecamatan}
    civic = {"country": "ID", "A3": center.center.city}
    if incident.kecamatan:
        civic["A4"] = kec.get(incident.kecamatan, incident.kecamatan)
    if incident.kelurahan:
        civic["A5"] = kel.get(incident.kelurahan, incident.kelurahan)
    if incident.address:
        civic["LOC"] = incident.address
    point = (GeoPoint(incident.location_lat, incident.location_lon)
             if incident.location_lat is not None and incident.location_lon is not None else None)
    incident_changed = max(t for t in (incident.created_at, incident.verified_at,
                                       incident.dispatched_at, incident.on_scene_at,
                                       incident.resolved_at, incident.closed_at,
                                       incident.cancelled_at) if t is not None)
    location_id = f"location.incident.{incident.id.hex}@{ids.domain}"
    locations = [{
        "$id": location_id, "lastUpdateTimeStamp": _ts(incident_changed, center), **prologue,
        "locationTypeDescriptionRegistryText": "Incident",
        "locationByValue": pidf_lo(f"pres:{incident.number}@{ids.domain}", point, civic,
                                   _ts(incident_changed, center)),
        **({"locationDescriptionText": incident.address} if incident.address else {}),
    }]
    notes = [{
        "$id": f"note.{n.id.hex}@{ids.domain}", "lastUpdateTimeStamp": _ts(n.at, center),
        **prologue, "notesActionComments": f"<p>{html.escape(n.text)}</p>",
        **({"agentReference": a} if (a := agent(n.author, "Call Taking")) else {}),
    } for n in incident.notes]

    involved = sorted({a.agency_code for a in assignments})
    by_code = {a.code: a for a in agencies}
    agency_components = [{
        "$id": ids.center(), "lastUpdateTimeStamp": _ts(now, center), **prologue,
        "agencyRoleDescriptionRegistryText": ["CallReceiving", "Dispatching"],
        "agencyType": ["psap"], "incidentOwningAgencyIndicator": True,
    }] + [{
        "$id": ids.agency(code), "lastUpdateTimeStamp": _ts(now, center), **prologue,
        "agencyRoleDescriptionRegistryText": ["Responding"],
        "agencyType": [AGENCY_TYPES.get(by_code[code].kind, by_code[code].kind)
                       if code in by_code else "other"],
        **({"agencyJcard": _jcard(by_code[code])} if code in by_code else {}),
    } for code in involved]

    station_points = {s.code: GeoPoint(s.lat, s.lon) for s in stations}
    resources, dispatches = [], {}
    for a in assignments:
        unit = units.get(a.unit_code)
        crew = ids.crew(a.unit_code)
        agents.setdefault(crew, {"$id": crew, "lastUpdateTimeStamp": _ts(a.dispatched_at, center),
                                 **prologue, "agentRoleRegistryText": ["Responder"],
                                 "agencyReference": _ref(ids.agency(a.agency_code))})
        last_step = a.timeline()[-1][1]
        status = unit.status.value if unit is not None and unit.incident_id == incident.id \
            else (a.end_status or "dispatched")
        resource: dict[str, Any] = {
            "$id": ids.resource(a.unit_code), "lastUpdateTimeStamp": _ts(last_step, center),
            "updatedByAgencyReference": _ref(ids.agency(a.agency_code)),
            "agentReference": [_ref(crew)],
            "emergencyResourceTypeCommonRegistryText": RESOURCE_TYPES.get(
                unit.unit_type if unit else "", "Other"),
            "emergencyResourceTypeInternalText": unit.unit_type if unit else "unknown",
            "emergencyResourceName": unit.name if unit else a.unit_code,
            "primaryUnitStatusRegistryText": UNIT_STATUS.get(status, "Other"),
            "secondaryUnitStatusRegistryText": [],
            "resourceAttributeRegistryText": [],
            "unitStatusInternal": [status] + (["acknowledged"] if a.acknowledged_at else []),
            "unitDestinationReference": _ref(location_id),
        }
        if a.eta_seconds is not None:
            eta = a.dispatched_at.timestamp() + a.eta_seconds
            resource["eta"] = _ts(datetime.fromtimestamp(eta, tz=a.dispatched_at.tzinfo), center)
        unit_point = None
        if unit is not None and unit.last_lat is not None and unit.last_lon is not None:
            unit_point = GeoPoint(unit.last_lat, unit.last_lon)
        elif unit is not None and unit.station_code in station_points:
            unit_point = station_points[unit.station_code]
        if unit_point is not None:
            loc_id = f"location.unit.{a.unit_code}@{ids.domain}"
            locations.append({
                "$id": loc_id, "lastUpdateTimeStamp": _ts(now, center), **prologue,
                "locationTypeDescriptionRegistryText": "Unit",
                "locationByValue": pidf_lo(f"pres:{a.unit_code}@{ids.domain}", unit_point, {},
                                           _ts(now, center))})
            resource["unitLocationReference"] = _ref(loc_id)
        resources.append(resource)
        key = (a.dispatch_id, a.agency_code)
        if key not in dispatches:
            dispatches[key] = {
                "$id": f"dispatch.{a.dispatch_id.hex}.{a.agency_code}@{ids.domain}",
                "lastUpdateTimeStamp": _ts(a.dispatched_at, center), **prologue,
                "agencyReference": _ref(ids.agency(a.agency_code)),
                "agentReference": agent(a.dispatched_by, "Dispatching"),
                "emergencyResourceReference": []}
        dispatches[key]["emergencyResourceReference"].append(_ref(ids.resource(a.unit_code)))

    call_components = [{
        "$id": ids.call(call), "lastUpdateTimeStamp": _ts(call.ended_at or call.connected_at
                                                          or call.received_at, center),
        **prologue, "standardPrimaryCallType": "emergency", "direction": "incoming",
        "callStartTimestamp": _ts(call.received_at, center),
        **({"answerDate": _ts(call.connected_at, center)} if call.connected_at else {}),
        "callStateRegistryText": "callEnd" if call.ended_at else (
            "callAnswered" if call.connected_at else "callBegin"),
        "locationReference": [_ref(location_id)],
    } for call in calls]

    type_cfg = center.incident_type(incident.type_code)
    creator = agent(incident.created_by, "Call Taking")
    agent(incident.verified_by, "Call Taking")
    incident_component: dict[str, Any] = {
        "$id": str(incident.id), "lastUpdateTimeStamp": _ts(incident_changed, center),
        **prologue,
        "incidentTypeCommonRegistryText": INCIDENT_TYPES.get(incident.type_code, "Other"),
        "incidentTypeInternalCode": "/".join(filter(None, (incident.type_code,
                                                           incident.subtype_code))),
        "incidentTypeInternalText": type_cfg.name.id if type_cfg else incident.type_code,
        "incidentStatusCommonRegistryText": [INCIDENT_STATUS[incident.status.value]],
        "incidentStatusInternalText": [incident.status.value],
        "internalIncidentId": incident.number,
        "incidentPriorityInternalText": incident.priority.value,
        "incidentCommonPriorityNumber": int(incident.priority.value[1:]),
        "locationReference": [_ref(location_id)],
        "agentReference": [creator] if creator else [],
        "notesReference": [_ref(n["$id"]) for n in notes],
    }
    document: dict[str, Any] = {
        "$id": ids.incident(incident), "lastUpdateTimeStamp": _ts(now, center), **prologue,
        "eidoVersion": EIDO_VERSION, "issuingElementIdentification": f"siaga112.{ids.domain}",
        "incidentComponent": incident_component,
        "agencyComponent": agency_components,
        "agentComponent": list(agents.values()),
        "locationComponent": locations,
    }
    optional = {"callComponent": call_components, "dispatchComponent": list(dispatches.values()),
                "emergencyResourceComponent": resources, "notesComponent": notes}
    document.update({k: v for k, v in optional.items() if v})
    if incident.description:
        document.setdefault("notesComponent", []).insert(0, {
            "$id": f"note.description.{incident.id.hex}@{ids.domain}",
            "lastUpdateTimeStamp": _ts(incident.created_at, center), **prologue,
            "notesActionComments": f"<p>{html.escape(incident.description)}</p>"})
        incident_component["notesReference"].insert(0, _ref(document["notesComponent"][0]["$id"]))
    for d in document.get("dispatchComponent", []):
        if d["agentReference"] is None:
            del d["agentReference"]
    return document


def _jcard(agency: Agency) -> str:
    """The agency's contact as a jCard (RFC 7095), serialized as the schema asks."""
    card: list[Any] = ["vcard", [["version", {}, "text", "4.0"], ["fn", {}, "text", agency.name]]]
    if agency.phone:
        card[1].append(["tel", {}, "uri", f"tel:{agency.phone}"])
    return json.dumps(card, ensure_ascii=False)


def eido_for_incident(uow: UnitOfWork, *, incident_id: uuid.UUID, center: CenterConfig,
                      now: datetime) -> dict[str, Any]:
    """Load everything the document needs in one read transaction and build it."""
    with uow:
        incident = uow.incidents.get(incident_id)
        if incident is None:
            raise NotFound(f"no incident {incident_id}")
        assignments = uow.assignments.for_incident(incident_id)
        codes = {a.unit_code for a in assignments}
        units = {u.code: u for u in uow.units.list() if u.code in codes}
        return build_eido(center=center, incident=incident, assignments=assignments,
                          units=units, agencies=uow.organization.agencies(),
                          stations=uow.organization.stations(),
                          calls=uow.calls.list(incident_id=incident_id), now=now)
