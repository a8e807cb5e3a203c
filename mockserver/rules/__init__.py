"""The request rules, one function per rule of ``schemas/fidelity.json``, named after its id
(``R-CAP`` -> ``r_cap``); each rule's ``enforced_by`` names its function.

- :mod:`~mockserver.rules.requests`: every request (auth is in :mod:`mockserver.tenants`): body
  size, content type, JSON;
- :mod:`~mockserver.rules.shape`: a body against its schema (types, enums, required, formats);
- :mod:`~mockserver.rules.jobs`: the batch jobs, with the whole check sequence
  (:func:`~mockserver.rules.jobs.r_validation_order`);
- :mod:`~mockserver.rules.filters`: the update filter and what the list filters share with it;
- :mod:`~mockserver.rules.queries`: pagination, sort and the job-list filters;
- :mod:`~mockserver.rules.phone_numbers`: the phone-number resources (list filters, lookup,
  voice settings, the slim and voice lists);
- :mod:`~mockserver.rules.messaging`, :mod:`~mockserver.rules.voicemail`,
  :mod:`~mockserver.rules.csv_downloads`, :mod:`~mockserver.rules.actions`: the rest of the
  /phone_numbers family, one module per resource.

Outcome and effect rules (``O-*``, ``E-*``) are in :mod:`mockserver.outcomes`, lifecycle rules
(``L-*``) in :mod:`mockserver.jobs` and :mod:`mockserver.views`.
"""
