"""What is printed: the queue ticket (``ticket``), the TMS slip (``notice``) and the ticket as a PNG (``preview``)."""
