"""Each module's share of the scope matrix (tests/test_scope_matrix.py), one file per module, so
modules built side by side never edit one test file. A file here may define:

- ``ENDPOINTS = {url name: (method, lambda w: url)}``: community B's record; everyone outside B is
  refused (403/404), sees no 王五 and changes nothing;
- ``LISTS = {url name: url or lambda w: url}``: lists that must hold nothing of community B;
- ``OTHER = {url names}``: pages covered by another test (a comment names it);
- ``BODY = {field: value}``: POST fields the module's forms need, so a refusal is not just a form error;
- ``build(w)``: adds community B's records to the world (w.comm_b, w.grid_b1, w.hh_b1, w.res_b1,
  w.community_worker_b, w.street_b, ... see tests/conftest.py) and to ``w`` itself; they should
  carry 王五's name, which no foreign caller may ever see;
- ``snapshot()``: a value that changes whenever one of the module's records changes.

``build`` runs for every matrix test: keep it to a few inserts.
"""
import importlib
import pkgutil


def cases():
    """The modules of this package, in name order."""
    return [importlib.import_module(f"{__name__}.{info.name}") for info in sorted(pkgutil.iter_modules(__path__),
                                                                                 key=lambda i: i.name)]
