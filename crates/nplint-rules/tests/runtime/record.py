#!/usr/bin/env python3
"""Record, by experiment, whether a package release works with a NumPy release.

For each (package, version, numpy, python) pair in PAIRS this script, with the CPython X.Y the pair names (given by
`--python X.Y=PATH`, else found under pyenv's versions or as `pythonX.Y` on PATH) and that interpreter's own pip,

1. installs `numpy==N` alone into its own directory (`--no-deps --only-binary=:all:`, shared by the pairs),
2. installs `PACKAGE==VERSION` alone into another (`--no-deps --only-binary=:all:`: a pair whose metadata refuses
   that NumPy is thus still installed, and recorded with `metadata_allows = false`),
3. installs the package's other runtime dependencies (its Requires-Dist for this interpreter, without extras and
   without numpy) with a normal resolve into a third directory, constrained by `numpy==N` and, where N >= 1.23 on
   CPython >= 3.9, by DEP_PINS (releases of NumPy-compiled dependencies that are built against NumPy 2 and still
   accept NumPy 1.23+, so that the result measures the package under test and not its dependencies; with an older
   NumPy the resolve picks dependencies whose metadata accepts it), then removes numpy from that directory,
4. runs, in a fresh `python3 -I -S` subprocess whose `sys.path` is the standard library plus those three
   directories only (package, numpy, dependencies), `import <module>` and then a small smoke operation that
   exercises NumPy interop,

and writes installs.toml (next to this script unless --out says otherwise), sorted by package, version, numpy and
python. The rows already in that file are kept; a pair recorded by this run replaces its row.

Runs on Python 3.11, stdlib only; each pair's pip runs as a subprocess of its interpreter, with its default
configuration and its cache. Results are kept in WORKDIR/results/ so that a re-run only runs new or
failed-to-install pairs (--rerun runs all again).

Usage: python3 record.py [--workdir /tmp/nplint-runtime] [--jobs 2] [--only NAME ...] [--rerun] [--keep]
                         [--python X.Y=PATH ...]
"""

from __future__ import annotations

import argparse
import concurrent.futures
import datetime
import email.parser
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import textwrap
import threading
import tomllib
from pathlib import Path

try:
    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name
    from packaging.version import Version
except ImportError:  # pip vendors it
    from pip._vendor.packaging.requirements import Requirement
    from pip._vendor.packaging.utils import canonicalize_name
    from pip._vendor.packaging.version import Version

HERE = Path(__file__).resolve().parent
DATE = "2026-12-06"

# Releases of NumPy-compiled dependencies built against NumPy 2 whose metadata accepts NumPy 1.23.5 .. 2.0.x: the
# dependencies of a package under test are pinned to these (as constraints: a pin only applies when the package
# needs that dependency; never to the package under test itself).
DEP_PINS = {
    "scipy": "1.13.1",
    "pandas": "2.2.2",
    "matplotlib": "3.9.2",
    "contourpy": "1.2.1",
    "scikit-learn": "1.5.1",
    "h5py": "3.11.0",
    "numexpr": "2.10.1",
    "bottleneck": "1.4.0",
    "shapely": "2.0.5",
    "scikit-image": "0.24.0",
    "pywavelets": "1.6.0",
    "opencv-python": "4.10.0.84",
    "opencv-python-headless": "4.10.0.84",
    "pyerfa": "2.0.1.4",
    "cftime": "1.6.4",
    "blosc2": "2.7.1",
    "imageio": "2.34.2",
    "tifffile": "2024.7.2",
    "pillow": "10.4.0",
    # patsy before 1.0.0 calls np.array(..., copy=False), which NumPy 2 refuses (`patsy-numpy-2-copy-known-pitfall`).
    "patsy": "1.0.1",
    "statsmodels": "0.14.2",
    "pyarrow": "16.1.0",
}

# Per release overrides of DEP_PINS, where the release needs an older dependency for reasons unrelated to NumPy (a
# version, or specifiers when they start with an operator).
RELEASE_PINS = {
    # gensim 4.2.0 to 4.3.2 import scipy.linalg.triu, which scipy 1.13 removed (4.3.3 declares scipy<1.14). No scipy
    # both has triu and runs on NumPy 2, so these are only measured on NumPy 1.x.
    ("gensim", "4.3.2"): {"scipy": "<1.13"},
    ("gensim", "4.3.1"): {"scipy": "<1.13"},
    ("gensim", "4.3.0"): {"scipy": "<1.13"},
    ("gensim", "4.2.0"): {"scipy": "<1.13"},
    # numba 0.53 imports pkg_resources from the setuptools it requires, which setuptools' newest releases no longer
    # ship.
    ("numba", "0.53.1"): {"setuptools": "<70"},
    # seaborn 0.12.0 and 0.12.1 set pandas' `mode.use_inf_as_null` option, which pandas 2 removed (0.12.2 moved on).
    ("seaborn", "0.12.1"): {"pandas": "<2"},
    ("seaborn", "0.12.0"): {"pandas": "<2"},
    # seaborn 0.11.2 also calls matplotlib.cm.register_cmap, which matplotlib 3.9 removed.
    ("seaborn", "0.11.2"): {"pandas": "<2", "matplotlib": "<3.9"},
    # scikit-optimize 0.10.0 imports sklearn.utils.check_pandas_support, gone in scikit-learn 1.5.
    ("scikit-optimize", "0.10.0"): {"scikit-learn": "1.4.2"},
}

# Modules a release imports without declaring the distribution that provides them, installed with its dependencies.
EXTRA_DEPS = {
    # librosa 0.9 and 0.10 import pkg_resources (librosa/util/files.py) but do not declare setuptools.
    "librosa": ["setuptools==69.5.1"],
    # spaCy's CLI, imported by `import spacy`, imports click, which it had through typer; newer typer does not
    # install it.
    "spacy": ["click"],
}

# module to import (the submodule that the smoke operation uses, so that a failure to load it counts as an import
# failure even where the package loads its submodules lazily), and the smoke operation (Python source run after the
# import, with `np` = numpy).
SMOKE = {
    "pandas": ("pandas", "import pandas as pd\nassert pd.Series([1.0, 2.0]).sum() == 3.0\n"
               "assert pd.DataFrame({'a': np.arange(3)}).to_numpy().sum() == 3"),
    "scipy": ("scipy.linalg", "assert np.allclose(scipy.linalg.inv(np.eye(2)), np.eye(2))"),
    "scikit-learn": ("sklearn.linear_model", "from sklearn.linear_model import LinearRegression\n"
                     "m = LinearRegression().fit([[0.0], [1.0], [2.0]], [0.0, 1.0, 2.0])\n"
                     "assert abs(m.predict([[3.0]])[0] - 3.0) < 1e-9"),
    "h5py": ("h5py", "f = h5py.File('mem.h5', 'w', driver='core', backing_store=False)\n"
             "f['a'] = np.arange(3.0)\nassert f['a'][()].sum() == 3.0\nf.close()"),
    "matplotlib": ("matplotlib", "import io\nmatplotlib.use('Agg')\nimport matplotlib.pyplot as plt\n"
                   "fig, ax = plt.subplots()\nax.plot(np.arange(3.0))\nax.contour(np.arange(9.0).reshape(3, 3))\n"
                   "fig.savefig(io.BytesIO(), format='png')"),
    # MultiPoint passes a GeometryType to a ufunc, which NumPy 2.1 refuses before Shapely 2.0.6 (issue #2098).
    "shapely": ("shapely", "pts = shapely.points(np.array([[0.0, 0.0], [1.0, 1.0]]))\n"
                "assert 6.2 < shapely.area(shapely.buffer(pts, 1.0)).sum() < 6.3\n"
                "assert len(shapely.MultiPoint([(0, 0), (1, 2)]).geoms) == 2"),
    "pyarrow": ("pyarrow", "assert pyarrow.array(np.arange(3.0)).to_numpy().sum() == 3.0"),
    "numexpr": ("numexpr", "assert numexpr.evaluate('a * 2', local_dict={'a': np.arange(3.0)}).sum() == 6.0"),
    "bottleneck": ("bottleneck", "assert bottleneck.nansum(np.array([1.0, np.nan, 2.0])) == 3.0"),
    "statsmodels": ("statsmodels.api", "sm = statsmodels.api\n"
                    "r = sm.OLS(np.array([1.0, 2.0, 3.1]), sm.add_constant(np.array([0.0, 1.0, 2.0]))).fit()\n"
                    "assert r.params.shape == (2,)"),
    "scikit-image": ("skimage.filters", "import skimage.measure\n"
                     "skimage.filters.gaussian(np.zeros((5, 5)))\n"
                     "assert skimage.measure.label(np.eye(3, dtype=int)).max() >= 1"),
    "astropy": ("astropy.units", "import astropy.time\nu = astropy.units\n"
                "assert (np.arange(3.0) * u.m).to(u.cm).value.sum() == 300.0\n"
                "astropy.time.Time(['2020-01-01']).jd"),
    "opencv-python-headless": ("cv2", "assert cv2.GaussianBlur(np.zeros((5, 5), np.uint8), (3, 3), 0).shape == (5, 5)"),
    "pywavelets": ("pywt", "cA, cD = pywt.dwt(np.arange(8.0), 'db1')\nassert cA.shape == (4,)"),
    "tables": ("tables", "f = tables.open_file('mem.h5', 'w', driver='H5FD_CORE', driver_core_backing_store=0)\n"
               "f.create_array('/', 'a', np.arange(3.0))\nassert f.root.a.read().sum() == 3.0\nf.close()"),
    "netcdf4": ("netCDF4", "d = netCDF4.Dataset('mem.nc', 'w', diskless=True, persist=False)\n"
                "d.createDimension('x', 3)\nv = d.createVariable('v', 'f8', ('x',))\nv[:] = np.arange(3.0)\n"
                "assert v[:].sum() == 3.0\nd.close()"),
    "cftime": ("cftime", "d = cftime.num2date(np.array([0, 1]), 'days since 2000-01-01', calendar='noleap')\n"
               "assert len(d) == 2"),
    "gensim": ("gensim", "from gensim.models import Word2Vec\n"
               "m = Word2Vec([['a', 'b'], ['b', 'c']], vector_size=4, min_count=1, workers=1, epochs=1)\n"
               "assert m.wv['a'].shape == (4,)"),
    "numba": ("numba", "assert numba.njit(lambda a: a.sum())(np.arange(3.0)) == 3.0"),
    "contourpy": ("contourpy", "contourpy.contour_generator(z=np.arange(9.0).reshape(3, 3)).lines(4.0)"),
    "torch": ("torch", "assert torch.from_numpy(np.arange(3.0)).numpy().sum() == 3.0"),
    "transforms3d": ("transforms3d", "from transforms3d.quaternions import quat2mat\n"
                     "assert np.allclose(quat2mat([1, 0, 0, 0]), np.eye(3))"),
    "scikit-optimize": ("skopt", "from skopt.space import Integer\n"
                        "assert Integer(1, 5, transform='normalize').inverse_transform([0.5])[0] == 3"),
    "keras-preprocessing": ("keras_preprocessing", "from keras_preprocessing.sequence import pad_sequences\n"
                            "assert pad_sequences([[1, 2], [3]]).shape == (2, 2)"),
    # Concatenating along a scalar np.str_ coordinate fails on NumPy 2.1 before xarray 2024.10.0 (issue #9600).
    "xarray": ("xarray", "assert xarray.DataArray(np.arange(3.0), dims='x').sum().item() == 3.0\n"
               "a = xarray.DataArray([1.0], dims='x', coords={'k': np.str_('a')})\n"
               "b = xarray.DataArray([2.0], dims='x', coords={'k': np.str_('b')})\n"
               "assert xarray.concat([a, b], dim='k').shape == (2, 1)"),
    # Box.volume used np.product before 3.22.3; Trimesh.extents calls ndarray.ptp up to 4.3.2.
    "trimesh": ("trimesh", "b = trimesh.primitives.Box(extents=[1, 2, 3])\nassert b.volume == 6.0\n"
                "assert np.allclose(trimesh.Trimesh(vertices=b.vertices, faces=b.faces).extents, [1, 2, 3])"),
    "spacy": ("spacy", "doc = spacy.blank('en')('a b')\nassert doc.to_array(['ORTH']).shape == (2,)"),
    "thinc": ("thinc.api", "assert thinc.api.NumpyOps().asarray([1.0, 2.0]).sum() == 3.0"),
    # An integer column with nulls read without pandas' nullable types is what calls np.float_ (issue #943).
    "fastparquet": ("fastparquet", "import pandas as pd\n"
                    "fastparquet.write('t.parq', pd.DataFrame({'a': np.arange(3.0), 'i': pd.array([1, None, 3], 'Int64')}))\n"
                    "assert fastparquet.ParquetFile('t.parq').to_pandas()['a'].sum() == 3.0\n"
                    "assert fastparquet.ParquetFile('t.parq', pandas_nulls=False).to_pandas()['i'].isna().sum() == 1"),
    "pyerfa": ("erfa", "assert erfa.jd2cal(np.array([2451545.0]), np.array([0.0]))[0][0] == 2000"),
    "pycocotools": ("pycocotools.mask", "m = pycocotools.mask.encode(np.asfortranarray(np.ones((4, 4), np.uint8)))\n"
                    "assert pycocotools.mask.area(m) == 16"),
    # Import only needs no Stan backend; fourier_series is plain NumPy.
    "prophet": ("prophet", "import pandas as pd\n"
                "f = prophet.forecaster.Prophet.fourier_series(pd.Series(pd.date_range('2020-01-01', periods=3)), 7, 2)\n"
                "assert f.shape == (3, 4)"),
    "shap": ("shap", "from sklearn.tree import DecisionTreeRegressor\nX = np.arange(8.0).reshape(4, 2)\n"
             "m = DecisionTreeRegressor().fit(X, [0.0, 1.0, 2.0, 3.0])\n"
             "assert shap.TreeExplainer(m).shap_values(X).shape == (4, 2)"),
    # recurrence_matrix is the function that uses np.bool in 0.9.x.
    "librosa": ("librosa.segment", "r = librosa.segment.recurrence_matrix(np.random.RandomState(0).rand(3, 20))\n"
                "assert r.shape == (20, 20)"),
    "nibabel": ("nibabel", "img = nibabel.Nifti1Image(np.zeros((2, 2, 2), np.float32), np.eye(4))\n"
                "assert img.get_fdata().sum() == 0.0\nassert len(img.to_bytes()) > 0"),
    "imgaug": ("imgaug", "import imgaug.augmenters as iaa\n"
               "out = iaa.SomeOf(1, [iaa.Fliplr(1.0)])(image=np.zeros((4, 4, 3), np.uint8))\n"
               "assert out.shape == (4, 4, 3)"),
    # center() passes a list to np.array(..., copy=False) before patsy 1.0.0 (issue #210).
    "patsy": ("patsy", "m = patsy.dmatrix('center(x)', {'x': [1.0, 2.0, 3.0]})\n"
              "assert np.asarray(m).shape == (3, 2)"),
    # A line plot with hue and style is what NumPy 1.24.0 broke (seaborn PR #3194, issue #3192).
    "seaborn": ("seaborn", "import pandas as pd\nimport matplotlib\nmatplotlib.use('Agg')\n"
                "df = pd.DataFrame({'t': np.tile(np.arange(5), 4), 'y': np.arange(20.0),"
                " 'g': np.repeat(['a', 'b'], 10), 'e': np.tile(np.repeat(['c', 'd'], 5), 2)})\n"
                "seaborn.lineplot(data=df, x='t', y='y', hue='g', style='e')"),
    # The NumPy formatter passes a list to np.array(..., copy=False) before datasets 2.21.0 (PR #6976).
    "datasets": ("datasets", "d = datasets.Dataset.from_dict({'a': [1.0, 2.0, 3.0]}).with_format('numpy')\n"
                 "assert d['a'].sum() == 6.0"),
    "mlxtend": ("mlxtend", "from mlxtend.evaluate import bias_variance_decomp\n"
                "from sklearn.tree import DecisionTreeClassifier\n"
                "X = np.array([[0.0], [1.0], [2.0], [3.0]]); y = np.array([0, 0, 1, 1])\n"
                "bias_variance_decomp(DecisionTreeClassifier(), X, y, X, y, loss='0-1_loss', num_rounds=2,"
                " random_seed=0)"),
}

N1, N2 = "1.26.4", "2.0.2"
BOTH = (N1, N2)
PAIRS: list[tuple[str, str, str, str]] = []
PY311 = ("3.11",)


def add(package: str, versions: str, numpys=BOTH, pythons=PY311) -> None:
    for v in versions.split():
        for n in numpys:
            for python in pythons:
                PAIRS.append((package, v, n, python))


# The NumPy 2 boundary of compiled packages: the last release built against NumPy 1.x and the first built against
# NumPy 2 (or one that has not been rebuilt), on NumPy 1.26.4 and 2.0.2.
add("pandas", "1.5.3 2.0.3 2.1.4 2.2.2")
add("scipy", "1.11.4 1.13.1")
add("scikit-learn", "1.3.2 1.5.1")
add("scikit-learn", "1.4.1.post1 1.4.2", (N2,))
add("h5py", "3.10.0 3.11.0")
add("matplotlib", "3.8.3 3.9.2")
add("matplotlib", "3.8.4", (N2,))
add("shapely", "2.0.3", BOTH)
add("shapely", "2.0.4", (N2,))
add("shapely", "2.0.5", (N2, "2.1.3"))
add("shapely", "2.0.6", ("2.1.3",))
add("pyarrow", "15.0.2", BOTH)
add("pyarrow", "16.1.0", (N2,))
add("numexpr", "2.9.0", BOTH)
add("numexpr", "2.10.0", (N2,))
add("bottleneck", "1.3.7", BOTH)
add("bottleneck", "1.4.0", (N2,))
add("statsmodels", "0.14.1", BOTH)
add("statsmodels", "0.14.2", (N2,))
add("scikit-image", "0.22.0", BOTH)
add("scikit-image", "0.24.0", (N2,))
add("astropy", "6.0.1", BOTH)
add("astropy", "6.1.0", (N2,))
# NumPy 2.4 removed np.in1d, which astropy.units looks up at import before 7.2.0 (`astropy-in1d-removed-api`).
add("astropy", "7.1.1", ("2.3.5", "2.4.1"))
add("astropy", "7.2.0", ("2.4.1",))
add("opencv-python-headless", "4.9.0.80", BOTH)
add("opencv-python-headless", "4.10.0.84", (N2,))
add("pywavelets", "1.5.0", BOTH)
add("pywavelets", "1.6.0", (N2,))
add("tables", "3.9.2", BOTH)
add("tables", "3.10.1", (N2,))
add("netcdf4", "1.6.5", BOTH)
add("netcdf4", "1.7.1", (N2,))
add("cftime", "1.6.3", BOTH)
add("cftime", "1.6.4", (N2,))
add("gensim", "4.3.2", (N1,))
add("gensim", "4.3.3")
add("numba", "0.59.1", BOTH)
add("numba", "0.60.0", (N2,))
add("contourpy", "1.2.0", BOTH)
add("contourpy", "1.2.1", (N2,))
add("torch", "2.2.2 2.3.1", (N2,))
# Removed NumPy names used by the package's Python code (found by grepping the wheels).
# numpy 1.24 removed np.int/np.bool/np.complex: scikit-optimize 0.9.0 (np.int at use), imgaug 0.4.0 (np.bool at
# use; np.sctypes at import, removed in 2.0), mlxtend 0.19.0 (np.int in bias_variance_decomp).
add("scikit-optimize", "0.9.0", ("1.23.5", "1.24.4"))
add("scikit-optimize", "0.10.2", ("1.24.4",))
add("imgaug", "0.4.0", ("1.23.5", "1.24.4", N1, N2))
add("mlxtend", "0.19.0", ("1.23.5", "1.24.4"))
# numpy 2.0 removed np.unicode_, np.product, np.maximum_sctype, np.compat, ...
add("keras-preprocessing", "1.1.2")
add("xarray", "2023.1.0")
add("xarray", "2024.6.0", (N2,))
add("trimesh", "3.9.43")
add("nibabel", "4.0.2")
add("nibabel", "5.2.1", (N2,))
add("transforms3d", "0.4.1")
add("transforms3d", "0.4.2", (N2,))

# Curated facts, measured on the Pythons their references speak of.
# gensim 4.0.x/4.1.x wheels (cp36-cp38/cp39; issues #3095, #3097, #3226) against NumPy 1.19.5 and 1.20.3.
add("gensim", "4.0.0 4.0.1 4.1.0 4.1.1 4.1.2", ("1.19.5", "1.20.3"), ("3.7", "3.8"))
# gensim 4.3.1 was built against a newer NumPy than the oldest supported (PR #3467): 1.21.6 against 1.22.4.
add("gensim", "4.3.1", ("1.21.6", "1.22.4"), ("3.8", "3.10"))
add("gensim", "4.3.0 4.3.2", ("1.21.6",), ("3.10",))
add("gensim", "4.3.0", ("1.22.4",), ("3.8", "3.10"))
add("gensim", "4.3.0 4.3.2", ("1.21.6",), ("3.8",))
add("gensim", "4.2.0", ("1.21.6",), ("3.8", "3.10"))
# contourpy wraps NumPy through pybind11, which does not compile against NumPy's C API.
add("contourpy", "1.0.7 1.1.0", (N2, "2.2.6"))
# spaCy's own modules and the thinc a resolver picks for numpy==N.
add("spacy", "3.7.5 3.7.6 3.8.0 3.8.2")
add("thinc", "8.2.4")
add("thinc", "8.3.0", (N2,))
# trimesh: np.product (before 3.22.3) and ndarray.ptp (before 4.4.0), both removed in NumPy 2.0.
add("trimesh", "3.22.2 3.22.3 4.4.0", (N2,))
add("trimesh", "4.3.2")
# librosa 0.9: np.bool, removed in NumPy 1.24 and restored in 2.0.
add("librosa", "0.9.2", ("1.23.5", "1.24.4", N2))
add("librosa", "0.10.0", ("1.24.4",))
# thinc 9.0.0 (April 2024) predates the NumPy 2 builds of 8.3.0 and 9.1.0.
add("thinc", "9.0.0 9.1.0", (N2,))

# The other curated facts: the last release that fails and the first that works, where not measured above.
add("bottleneck", "1.3.8", (N2,))
add("netcdf4", "1.7.0", (N2,))
add("opencv-python-headless", "4.10.0.82", (N2,))
add("pandas", "2.2.1", (N2,))
add("pyarrow", "16.0.0", (N2,))
add("scikit-image", "0.23.1", (N2,))
add("scipy", "1.12.0 1.13.0", (N2,))
add("tables", "3.10.0", (N2,))
add("gensim", "4.4.0", (N2,))
add("pyerfa", "2.0.1.1 2.0.1.3", (N2,))
add("pycocotools", "2.0.7 2.0.8", (N2,))
add("fastparquet", "2024.2.0", BOTH)
# 2024.5.0 is left out: its np.float_ call (`fastparquet-numpy-2-removed-api`) was not reached by the smoke operation.
add("fastparquet", "2024.11.0", (N2,))
# Releases before NumPy 2 that declare no upper bound, on the oldest CPython NumPy 2.0 supports.
add("scipy", "1.6.1", ("1.20.3", N2), ("3.9",))
add("numba", "0.53.1", ("1.20.3", N2), ("3.9",))
add("xarray", "2023.8.0 2023.9.0", (N2,))
add("prophet", "1.1.5", BOTH)
add("prophet", "1.1.6", (N2,))
add("mlxtend", "0.23.0", ("1.24.4",))
add("scikit-optimize", "0.10.0", ("1.24.4",))
add("librosa", "0.8.1", ("1.23.5", "1.24.4"))
add("shap", "0.41.0", ("1.23.5", "1.24.4"), ("3.10",))
add("shap", "0.42.0", ("1.24.4",), ("3.10",))

# Known pitfalls: behaviour changes of NumPy that break a release without an import error (or with one that is
# neither a build against another NumPy nor a removed name), on the NumPy before and after the change.
# NumPy 2's np.array(copy=False) raises where a copy is needed: patsy before 1.0.0 (issue #210, PR #212).
add("patsy", "0.5.6")
# 1.0.0 is left out: it imports pytest, which it does not declare (fixed in 1.0.1).
add("patsy", "1.0.1", (N2,))
# datasets before 2.21.0: the NumPy formatter (PR #6976).
add("datasets", "2.20.0")
add("datasets", "2.21.0", (N2,))
# NumPy 1.24.0 broke seaborn's line plots (numpy#22826, fixed in 1.24.1); seaborn 0.12.2 declares numpy!=1.24.0.
add("seaborn", "0.12.1", ("1.23.5", "1.24.0", "1.24.1"))
add("seaborn", "0.12.0", ("1.24.0",))
add("seaborn", "0.11.2", ("1.23.5", "1.24.0", "1.24.1"))
add("seaborn", "0.12.2", ("1.24.0", "1.24.1"))
# xarray 2022.6.0 subscripts a NumPy typing class that is not generic in NumPy 1.20 only (issue #6818).
add("xarray", "2022.6.0", ("1.20.3", "1.21.6"), ("3.9",))
add("xarray", "2022.9.0", ("1.20.3",), ("3.9",))
# xarray's concat along a scalar np.str_ coordinate on NumPy 2.1 (issue #9600, fixed by PR #9403).
add("xarray", "2024.9.0", BOTH)
add("xarray", "2024.9.0", ("2.1.3",))
add("xarray", "2023.9.0 2024.6.0", ("2.1.3",))
add("xarray", "2024.10.0", (N2, "2.1.3"))

BANNER_RE = re.compile(r"A module that was compiled using NumPy 1\.x cannot be run in\s+NumPy [^\s]+ as it may crash\.")

CHILD = r'''
import faulthandler, json, os, site, sys, traceback, warnings
faulthandler.enable()
dirs, module, smoke, out = json.loads(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
for d in dirs:
    site.addsitedir(d)
res = {"stage": "import", "warnings": []}
def mark(stage):
    res["stage"] = stage
    with open(out + ".stage", "w") as f:
        f.write(stage)
mark("import")
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    try:
        g = {}
        exec("import numpy as np\nimport " + module, g)
        mark("use")
        exec(smoke, g)
        res["result"] = "works"
        del res["stage"]
    except BaseException as e:
        res["result"] = "fails"
        res["error"] = traceback.format_exception_only(type(e), e)[0].splitlines()[0].strip()
        res["traceback"] = traceback.format_exc()[-4000:]
    res["warnings"] = ["%s: %s" % (w.category.__name__, str(w.message).splitlines()[0] if str(w.message) else "")
                       for w in caught]
    import numpy
    res["numpy_loaded"] = numpy.__version__ + " " + os.path.dirname(numpy.__file__)
with open(out, "w") as f:
    json.dump(res, f)
'''


def log(*a):
    print(*a, file=sys.stderr, flush=True)


# CPython X.Y -> interpreter: from --python, else the newest pyenv build of X.Y (not its shim, which runs only the
# pyenv version selected), else `pythonX.Y` on PATH.
PYTHONS: dict[str, str] = {}
_info: dict[str, dict] = {}
_info_lock = threading.Lock()

# The PEP 508 marker environment of an interpreter (as packaging's default_environment computes it), its version and
# its pip's: Requires-Dist markers are evaluated for the interpreter that runs the pair, not for this one.
INFO = r'''
import json, os, platform, sys
def fmt(info):
    version = "{0.major}.{0.minor}.{0.micro}".format(info)
    if info.releaselevel != "final":
        version += info.releaselevel[0] + str(info.serial)
    return version
import pip
print(json.dumps({"env": {
    "implementation_name": sys.implementation.name,
    "implementation_version": fmt(sys.implementation.version),
    "os_name": os.name, "platform_machine": platform.machine(), "platform_release": platform.release(),
    "platform_system": platform.system(), "platform_version": platform.version(),
    "python_full_version": platform.python_version(),
    "platform_python_implementation": platform.python_implementation(),
    "python_version": ".".join(platform.python_version_tuple()[:2]), "sys_platform": sys.platform,
}, "version": platform.python_version(), "pip": pip.__version__}))
'''


def interpreter(python: str) -> str:
    if python in PYTHONS:
        return PYTHONS[python]
    root = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    builds = [p for p in root.glob(f"{python}.*/bin/python") if re.fullmatch(r"[0-9.]+", p.parent.parent.name)]
    builds.sort(key=lambda p: Version(p.parent.parent.name))
    found = str(builds[-1]) if builds else shutil.which(f"python{python}")
    if not found:
        raise RuntimeError(f"no CPython {python}: pass --python {python}=PATH")
    PYTHONS[python] = found
    return found


def python_info(python: str) -> dict:
    with _info_lock:
        if python not in _info:
            out = subprocess.run([interpreter(python), "-c", INFO], capture_output=True, text=True, check=True).stdout
            info = json.loads(out)
            if info["env"]["python_version"] != python:
                raise RuntimeError(f"{interpreter(python)} is CPython {info['version']}, not {python}")
            _info[python] = info
        return _info[python]


def pip(python: str, *args, timeout=3600):
    cmd = [interpreter(python), "-m", "pip", "--disable-pip-version-check", "-q", *args]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    if p.returncode != 0:
        raise RuntimeError("pip failed: %s\n%s\n%s" % (" ".join(cmd), p.stdout[-3000:], p.stderr[-3000:]))


_download_lock = threading.Lock()


def pip_install(work: Path, target: Path, python: str, *args: str) -> None:
    """`pip install --target TARGET ARGS`, through WORKDIR/wheels: pip's HTTP cache may be off (it is where this
    was first run), so every file is downloaded once into that folder (one download at a time, so that two pairs
    never write the same file) and installed from there."""
    wheels = work / "wheels"
    with _download_lock:
        pip(python, "download", "-d", str(wheels), *args)
    try:
        pip(python, "install", "--no-compile", "--no-index", "--find-links", str(wheels), "--target", str(target),
            *args)
    except RuntimeError:  # e.g. an sdist whose build needs setuptools from the index
        shutil.rmtree(target, ignore_errors=True)
        pip(python, "install", "--no-compile", "--find-links", str(wheels), "--target", str(target), *args)


_np_locks: dict[tuple[str, str], threading.Lock] = {}
_np_guard = threading.Lock()


def numpy_dir(work: Path, n: str, python: str) -> Path:
    with _np_guard:
        lock = _np_locks.setdefault((n, python), threading.Lock())
    with lock:
        d = work / "numpy" / f"py{python}" / n
        if not (d / ".done").exists():
            shutil.rmtree(d, ignore_errors=True)
            pip_install(work, d, python, "--no-deps", "--only-binary=:all:", f"numpy=={n}")
            (d / ".done").write_text("")
        return d


def dist_infos(d: Path):
    for m in sorted(d.glob("*.dist-info")):
        meta = m / "METADATA"
        if meta.exists():
            yield email.parser.Parser().parsestr(meta.read_text(encoding="utf-8", errors="replace"))


def find_dist(d: Path, package: str):
    for msg in dist_infos(d):
        if canonicalize_name(msg["Name"]) == package:
            return msg
    raise RuntimeError(f"no dist-info for {package} in {d}")


def runtime_requirements(msg, python: str) -> list:
    env = dict(python_info(python)["env"])
    env["extra"] = ""
    reqs = []
    for line in msg.get_all("Requires-Dist") or []:
        r = Requirement(line)
        if r.marker is None or r.marker.evaluate(env):
            reqs.append(r)
    return reqs


def metadata_allows(msg, n: str, python: str) -> bool:
    v = Version(n)
    return all(v in r.specifier for r in runtime_requirements(msg, python) if canonicalize_name(r.name) == "numpy")


def remove_numpy(d: Path) -> None:
    for p in list(d.glob("numpy")) + list(d.glob("numpy.libs")) + list(d.glob("numpy-*.dist-info")):
        shutil.rmtree(p)
    for p in (d / "bin").glob("f2py*") if (d / "bin").exists() else []:
        p.unlink()


def run_pair(work: Path, package: str, version: str, n: str, python: str, keep: bool) -> dict:
    key = f"{package}-{version}-np{n}-py{python}"
    base = work / "pairs" / key
    shutil.rmtree(base, ignore_errors=True)
    pkg_dir, dep_dir, tmp = base / "pkg", base / "deps", base / "tmp"
    tmp.mkdir(parents=True)
    np_dir = numpy_dir(work, n, python)
    pip_install(work, pkg_dir, python, "--no-deps", "--only-binary=:all:", f"{package}=={version}")
    msg = find_dist(pkg_dir, package)
    allows = metadata_allows(msg, n, python)
    deps = []
    for r in runtime_requirements(msg, python):
        if canonicalize_name(r.name) == "numpy":
            continue
        deps.append(str(Requirement(str(r).split(";")[0])))
    deps += EXTRA_DEPS.get(package, [])
    with_pins = []
    if deps:
        constraints = base / "constraints.txt"
        # DEP_PINS are releases for CPython >= 3.9 that accept numpy >= 1.23: with an older NumPy or Python the
        # resolve picks dependencies whose metadata accepts numpy==N.
        modern = Version(n) >= Version("1.23") and Version(python) >= Version("3.9")
        pinned = {**(DEP_PINS if modern else {}), **RELEASE_PINS.get((package, version), {})}
        pins = [f"numpy=={n}"] + [f"{k}{v}" if v[0] in "<>=!~" else f"{k}=={v}"
                                  for k, v in sorted(pinned.items()) if k != package]
        constraints.write_text("\n".join(pins) + "\n")
        pip_install(work, dep_dir, python, "--prefer-binary", "-c", str(constraints), *deps)
        remove_numpy(dep_dir)
        with_pins = sorted(f"{canonicalize_name(m['Name'])}=={m['Version']}" for m in dist_infos(dep_dir)
                           if canonicalize_name(m["Name"]) != package)
    module, smoke = SMOKE[package]
    out = base / "child.json"
    dirs = [str(pkg_dir), str(np_dir)] + ([str(dep_dir)] if deps else [])
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp), "LANG": "C.UTF-8", "PYTHONPATH": os.pathsep.join(dirs),
           "MPLCONFIGDIR": str(tmp), "OMP_NUM_THREADS": "1", "NUMBA_CACHE_DIR": str(tmp)}
    try:
        p = subprocess.run([interpreter(python), "-I", "-S", "-c", CHILD, json.dumps(dirs), module, smoke, str(out)],
                           capture_output=True, text=True, cwd=tmp, env=env, timeout=900)
        stderr, rc = p.stderr, p.returncode
    except subprocess.TimeoutExpired as e:
        stderr, rc = (e.stderr or b"").decode("utf-8", "replace") if isinstance(e.stderr, bytes) else (e.stderr or ""), "timeout"
    if out.exists():
        res = json.loads(out.read_text())
    else:
        stage_file = Path(str(out) + ".stage")
        stage = stage_file.read_text() if stage_file.exists() else "import"
        if rc == "timeout":
            err = "Timeout: no result within 900 s"
        else:
            sig = -rc if isinstance(rc, int) and rc < 0 else None
            err = ("Fatal Python error: signal %d" % sig) if sig else "exit status %s" % rc
            m = re.search(r"Fatal Python error: [^\n]+", stderr)
            if m:
                err = m.group(0)
        res = {"result": "fails", "stage": stage, "error": err, "warnings": [], "traceback": stderr[-4000:]}
    banner = BANNER_RE.search(stderr)
    record = {
        "package": package, "version": version, "numpy": n, "python": python, "platform": "linux-x86_64",
        "metadata_allows": allows, "result": res["result"],
    }
    if res["result"] == "fails":
        record["stage"] = res["stage"]
        record["error"] = res["error"]
    if banner:
        record["banner"] = " ".join(banner.group(0).split())
    numpy_warnings = [w for w in res.get("warnings", []) if re.search(r"numpy|NumPy|np\.|_ARRAY_API", w)]
    if numpy_warnings:
        record["warning"] = numpy_warnings[0]
    if with_pins:
        record["with"] = with_pins
    # kept beside the record in WORKDIR only (not written to the table)
    record["_numpy_loaded"] = res.get("numpy_loaded")
    record["_traceback"] = res.get("traceback", "")
    record["_stderr"] = stderr[-4000:]
    if not keep:
        shutil.rmtree(pkg_dir, ignore_errors=True)
        shutil.rmtree(dep_dir, ignore_errors=True)
    return record


def toml_str(s: str) -> str:
    return json.dumps(s, ensure_ascii=False)


FIELDS = ["package", "version", "numpy", "python", "platform", "metadata_allows", "result", "stage", "error",
          "banner", "warning", "with"]


def row_key(r: dict) -> tuple:
    return (r["package"], Version(r["version"]), Version(r["numpy"]), Version(r["python"]))


def interpreters(records: list[dict]) -> str:
    """`3.7.16 (pip 22.0.4, 12 pairs), 3.11.7 (pip 23.2.1, 96 pairs)`: the interpreters of the table's rows."""
    out = []
    for python in sorted({r["python"] for r in records}, key=Version):
        count = sum(r["python"] == python for r in records)
        try:
            info = python_info(python)
            out.append(f"{info['version']} (pip {info['pip']}, {count} pairs)")
        except (RuntimeError, subprocess.CalledProcessError):
            out.append(f"{python} ({count} pairs)")
    return ", ".join(out)


def write_table(path: Path, records: list[dict], command: str) -> None:
    records = sorted(records, key=row_key)
    works = sum(r["result"] == "works" for r in records)
    used = textwrap.fill(interpreters(records), width=112, initial_indent="# CPython ",
                         subsequent_indent="# ").replace("\n", "\n        ")
    lines = textwrap.dedent(f"""\
        # Runtime ground truth: does PACKAGE==VERSION import and work with numpy==N? Measured, not read from metadata.
        #
        # Produced by `{command}`
        # (crates/nplint-rules/tests/runtime/record.py), last run on {DATE}, on {platform.system().lower()} {platform.machine()}
        # (glibc {platform.libc_ver()[1]}), from the default package index, with each row's interpreter (`python`) and its pip:
        {used}.
        # {len(records)} pairs: {works} work, {len(records) - works} fail.
        #
        # Each pair: the package (PEP 503 name), numpy and the other dependencies are installed into separate
        # directories (the package and numpy with `--no-deps --only-binary=:all:`, so a pair whose metadata refuses
        # that numpy is still run; the other runtime dependencies by a normal resolve constrained to numpy==N and to
        # releases of NumPy-compiled dependencies built against NumPy 2 that accept numpy>=1.23, listed in `with`),
        # then `pythonX.Y -I -S` with only those directories on sys.path runs `import numpy, MODULE` and a small
        # smoke operation (see SMOKE in record.py). With numpy < 1.23 or CPython < 3.9 the dependencies are not
        # pinned: the resolve picks releases whose metadata accepts numpy==N.
        #
        # metadata_allows: whether the package's Requires-Dist (markers evaluated for the row's interpreter, no extras)
        #                  admits that numpy (true when it names no numpy).
        # result:          "works" | "fails"; stage: "import" | "use" (only when it fails); error: the first line of
        #                  the exception (type and message).
        # banner:          the first sentence of NumPy 2's "compiled using NumPy 1.x" message, when it was printed
        #                  to stderr (also when the import then went on).
        # warning:         the first NumPy-related warning raised during import and use, if any.
        """).splitlines()
    for r in records:
        lines.append("")
        lines.append("[[pair]]")
        for f in FIELDS:
            if f not in r:
                continue
            v = r[f]
            if isinstance(v, bool):
                s = "true" if v else "false"
            elif isinstance(v, list):
                s = "[" + ", ".join(toml_str(x) for x in v) + "]"
            else:
                s = toml_str(v)
            lines.append(f"{f} = {s}")
    path.write_text("\n".join(lines) + "\n")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workdir", default="/tmp/nplint-runtime")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--only", nargs="*", help="run only these packages (the table still gets every recorded pair)")
    ap.add_argument("--rerun", action="store_true", help="run pairs again even when a result is recorded")
    ap.add_argument("--keep", action="store_true", help="keep the install directories")
    ap.add_argument("--out", default=str(HERE / "installs.toml"))
    ap.add_argument("--python", action="append", default=[], metavar="X.Y=PATH",
                    help="the interpreter for pairs on CPython X.Y")
    a = ap.parse_args()
    for spec in a.python:
        python, _, path = spec.partition("=")
        PYTHONS[python] = path
    work = Path(a.workdir)
    (work / "results").mkdir(parents=True, exist_ok=True)
    for p, _, _, _ in PAIRS:
        assert p in SMOKE, p
    assert len(set(PAIRS)) == len(PAIRS), "duplicate pair"

    def result_file(pair):
        return work / "results" / ("%s-%s-np%s-py%s.json" % pair)

    todo = []
    for pair in PAIRS:
        if a.only and pair[0] not in a.only:
            continue
        rf = result_file(pair)
        if a.rerun or not rf.exists():
            todo.append(pair)
    # big downloads first, so the small ones fill in around them
    todo.sort(key=lambda p: (p[0] != "torch", p))
    failed = []

    def job(pair):
        rec = run_pair(work, *pair, keep=a.keep)
        result_file(pair).write_text(json.dumps(rec, indent=1))
        return rec

    with concurrent.futures.ThreadPoolExecutor(max_workers=a.jobs) as ex:
        futs = {ex.submit(job, p): p for p in todo}
        for f in concurrent.futures.as_completed(futs):
            p = futs[f]
            try:
                r = f.result()
                log("%-24s %-12s numpy %-7s py%-5s %-5s %s %s" % (*p, r["result"], r.get("stage", ""), r.get("error", "")))
            except Exception as e:  # an install failure is a bug of the experiment, not a result
                failed.append(p)
                log("ERROR %s: %s" % (p, e))
    # The table keeps its rows (recorded earlier, perhaps elsewhere); this run's results replace theirs.
    rows = {}
    if Path(a.out).exists():
        for r in tomllib.loads(Path(a.out).read_text()).get("pair", []):
            rows[row_key(r)] = r
    for pair in PAIRS:
        rf = result_file(pair)
        if rf.exists():
            rec = json.loads(rf.read_text())
            rec = {k: v for k, v in rec.items() if not k.startswith("_")}
            rows[row_key(rec)] = rec
    records = list(rows.values())
    write_table(Path(a.out), records, "python3 crates/nplint-rules/tests/runtime/record.py --workdir /tmp/nplint-runtime")
    log("%d pairs recorded in %s; %d install errors" % (len(records), a.out, len(failed)))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
