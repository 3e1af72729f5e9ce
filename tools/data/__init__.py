"""Data for local runs: the domains' sample data and ``just seed`` (``samples``), larger generated raw data
(``generate``, shaped by ``domain_records``: ``just gen-data``), and the lakehouse's tables read from
the host (``tables``)."""
