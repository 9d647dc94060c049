"""The nämndsekreterare's meetings: sammanträden, föredragningslista, närvaro, protokoll, justering
and rättelse (KL 5-6, 8 kap.)."""
