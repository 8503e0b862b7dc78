"""Hardware behind small interfaces, shaped like python-escpos: no Flask, no database, of antrean.shared only domain.

``printer`` (one module per transport, a recording test double), ``layouts`` (ticket, TMS slip,
PNG preview), ``speech`` (engine, cache, WAV, fakes) and ``agents`` (print and speaker agents).
"""
