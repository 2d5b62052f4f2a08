"""Open311 GeoReport v2 endpoint: existing 311 clients report and follow grid events."""
