"""Analysis on networks: claims checked against the plans (``claims``), scenarios compared
(``compare``), the constants drawn and the network re-timed (``uncertainty``), and sweeps of
scenarios x draws (``sweep``)."""
