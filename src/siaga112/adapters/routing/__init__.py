"""Travel-time providers (services/ports.py TravelTimeProvider): straight line, OSM graph, OSRM."""
