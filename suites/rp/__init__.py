"""Relying-party conformance: the kit plays VNeID, misbehaving on purpose; the RP must refuse."""
