#!/usr/bin/env python3
"""Install the environments that `nplint upgrade 'numpy>=2'` plans, and record whether they work.

For each corpus file named in FILES (tests/upgrade/corpus/<folder>/<file>), this script

1. copies the folder to a temporary directory, asks nplint for the plan of the copy (`nplint upgrade 'numpy>=2' COPY
   --format json`), checks that the plan of the file's first environment has a `changes` or `ready` part whose targets
   include CPython 3.11 on linux-x86_64 (the packages that part changes are "the packages the plan changed"), then
   applies the plan (`--write`); `plan_sha256` is the SHA-256 of the written file;
2. reads the written copy back (`nplint debug manifest COPY`) and writes, for that environment, one requirement a line
   (`name[extras]specifiers ; marker`, skipping URL and path requirements, nameless ones, and `python`/`pip` of conda
   files, whose entries are named by their PyPI name), plus `numpy>=2`;
3. creates a venv with CPython 3.11 (`uv venv --python PYTHON`) and installs those requirements with
   `uv pip install --exclude-newer EXCLUDE_NEWER -r requirements.txt`, first with `--only-binary :all:` and, if that
   fails because a distribution has no usable wheel, again allowing a source distribution for that distribution only
   (`--no-binary NAME`, repeated while uv names another; the record then says `binary_only = false` and lists, in
   `sdists`, what was built from source, marking a built wheel that is not pure Python "(compiled)");
4. in the venv, runs for each module to test a fresh `python -I` subprocess that imports numpy, asserts that its
   major version is at least 2, imports the module and runs a small operation that exercises its NumPy interop
   (SMOKE, per distribution). The modules tested are the distributions the plan changed (numpy itself is the check
   every subprocess makes) followed by the main NumPy-dependent libraries of the project (MAIN);
5. records the file, environment, plan_sha256, installed numpy, result ("works", or "fails" with the stage,
   `install`, `import` or `use`, the module and the first line of the error), the installed versions of the
   distributions the plan changed, the modules tested and whether only wheels were installed.

Nothing is tweaked to make an install pass: the requirements are exactly the planned file's (plus `numpy>=2`), and a
failure is recorded as it happened. Each venv is deleted after its file is recorded (unless --keep).

Results are kept in WORKDIR/results/<folder>.json, so a re-run only runs files without a result (--rerun runs them
again); installs.toml (next to this script unless --out says otherwise) is written from all the results of the files
in FILES, sorted by file. uv's logs are in WORKDIR/logs/.

Needs CPython 3.11 on linux-x86_64 (stdlib only), a build of nplint (--nplint), and uv: --uv, else WORKDIR/uv/bin/uv,
which is created the first time by `python3.11 -m venv WORKDIR/uv && WORKDIR/uv/bin/pip install uv==UV_VERSION`.

Usage: python3 tests/upgrade/install.py [--nplint /tmp/nplint-rec/nplint] [--workdir /tmp/upgrade-installs]
                                        [--jobs 2] [--only FOLDER ...] [--rerun] [--keep] [--python PATH] [--uv PATH]
                                        [--out installs.toml]
"""

from __future__ import annotations

import argparse
import concurrent.futures
import datetime
import hashlib
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

HERE = Path(__file__).resolve().parent
CORPUS = HERE / "corpus"
SPEC = "numpy>=2"
EXCLUDE_NEWER = "2026-11-21T12:24:32Z"
UV_VERSION = "0.13.9"
TARGET = {"python": "3.11", "platform": "linux-x86_64"}
DEFAULT_PYTHON = "/root/.pyenv/versions/3.11.7/bin/python3.11"

# The corpus folders installed: those whose plan has a CPython 3.11 linux-x86_64 part and whose environment needs
# neither torch, tensorflow nor CUDA (see the README). Per folder, the project's main NumPy-dependent libraries
# (distribution names, keys of SMOKE), tested after the distributions the plan changed.
MAIN = {
    "chromadb": ["onnxruntime"],
    "darts": ["pandas", "scipy", "scikit-learn", "statsmodels", "xgboost", "pmdarima", "statsforecast", "shap",
              "matplotlib", "xarray"],
    "doctr": ["scipy", "h5py", "opencv-python", "shapely", "pyclipper", "rapidfuzz", "pypdfium2", "pillow"],
    "facefusion": [],
    "gradio-4": ["pandas", "matplotlib"],
    "jesse": ["ta-lib", "numpy-groupies"],
    "pandasai": ["matplotlib"],
    "presidio-image-redactor": ["pydicom", "pillow", "presidio-analyzer"],
    "pycaret": ["pandas", "scikit-learn", "lightgbm", "statsmodels", "pmdarima", "sktime", "pyod", "imbalanced-learn",
                "category-encoders", "numba", "yellowbrick", "plotly"],
    "taipy": ["pyarrow", "networkx"],
    "unstructured": ["joblib"],
    "wfdb": ["scipy", "pandas", "soundfile", "matplotlib"],
    "ydata-profiling": ["pandas", "seaborn", "statsmodels", "phik", "numba", "imagehash", "wordcloud"],
}
FILES = sorted(MAIN)

# A minimal ONNX model (y = x * x, x a float tensor of shape [3]) encoded by hand in protobuf, so that onnxruntime can
# run an inference without the onnx package.
_ONNX_MODEL = r'''
def _v(n):
    out = b''
    while True:
        b, n = n & 0x7f, n >> 7
        if not n:
            return out + bytes([b])
        out += bytes([b | 0x80])
def _f(no, val):
    if isinstance(val, int):
        return _v(no << 3) + _v(val)
    val = val.encode() if isinstance(val, str) else val
    return _v(no << 3 | 2) + _v(len(val)) + val
def _vi(name):
    return _f(1, name) + _f(2, _f(1, _f(1, 1) + _f(2, _f(1, _f(1, 3)))))
_graph = _f(1, _f(1, 'x') + _f(1, 'x') + _f(2, 'y') + _f(4, 'Mul')) + _f(2, 'g') + _f(11, _vi('x')) + _f(12, _vi('y'))
MODEL = _f(1, 8) + _f(7, _graph) + _f(8, _f(1, '') + _f(2, 13))
'''

# distribution -> (module to import, smoke operation run after `import numpy as np` and `import <module>`). The module
# is the submodule the operation uses, so that failing to load it counts as an import failure.
SMOKE = {
    "pandas": ("pandas", "import pandas as pd\nrng = np.random.default_rng(0)\n"
               "df = pd.DataFrame(rng.random((30, 3)), columns=['a', 'b', 'c'])\ndf['g'] = np.arange(30) % 3\n"
               "m = df.groupby('g').mean()\nassert m.shape == (3, 3)\n"
               "assert np.isclose(m.loc[0, 'a'], df['a'].to_numpy()[::3].mean())\n"
               "assert df['a'].rolling(3).sum().to_numpy().shape == (30,)\n"
               "assert pd.date_range('2020-01-01', periods=3).to_numpy().dtype.kind == 'M'"),
    "scipy": ("scipy.linalg", "import scipy.sparse, scipy.stats, scipy.optimize, scipy.signal\n"
              "x = scipy.linalg.solve(np.array([[3.0, 1.0], [1.0, 2.0]]), np.array([9.0, 8.0]))\n"
              "assert np.allclose(x, [2.0, 3.0])\nassert scipy.sparse.csr_matrix(np.eye(3)).sum() == 3\n"
              "assert abs(scipy.stats.norm.cdf(0.0) - 0.5) < 1e-12\n"
              "r = scipy.optimize.minimize(lambda v: ((v - 1.0) ** 2).sum(), np.zeros(2))\n"
              "assert np.allclose(r.x, 1.0, atol=1e-4)\n"
              "b, a = scipy.signal.butter(2, 0.3)\nassert scipy.signal.lfilter(b, a, np.ones(8)).shape == (8,)"),
    "scikit-learn": ("sklearn.ensemble", "from sklearn.ensemble import RandomForestClassifier\n"
                     "from sklearn.linear_model import LogisticRegression\nrng = np.random.default_rng(0)\n"
                     "X = rng.normal(size=(60, 3))\ny = (X[:, 0] > 0).astype(int)\n"
                     "rf = RandomForestClassifier(n_estimators=5, random_state=0).fit(X, y)\n"
                     "assert rf.predict(X).shape == (60,)\nassert LogisticRegression().fit(X, y).score(X, y) > 0.8"),
    "matplotlib": ("matplotlib", "import io\nmatplotlib.use('Agg')\nimport matplotlib.pyplot as plt\n"
                   "fig, ax = plt.subplots()\nax.plot(np.arange(5.0), np.arange(5.0) ** 2)\n"
                   "ax.imshow(np.random.default_rng(0).random((4, 4)))\nax.contour(np.arange(9.0).reshape(3, 3))\n"
                   "buf = io.BytesIO()\nfig.savefig(buf, format='png')\nassert buf.tell() > 0\nplt.close(fig)"),
    "opencv-python": ("cv2", "img = np.random.default_rng(0).integers(0, 255, (32, 32, 3), dtype=np.uint8)\n"
                      "assert cv2.resize(img, (16, 8)).shape == (8, 16, 3)\n"
                      "assert cv2.cvtColor(img, cv2.COLOR_BGR2GRAY).shape == (32, 32)\n"
                      "assert cv2.GaussianBlur(img, (3, 3), 0).dtype == np.uint8\n"
                      "ok, enc = cv2.imencode('.png', img)\nassert ok and (cv2.imdecode(enc, cv2.IMREAD_COLOR) == img).all()"),
    "onnxruntime": ("onnxruntime", _ONNX_MODEL +
                    "v = onnxruntime.OrtValue.ortvalue_from_numpy(np.arange(3, dtype=np.float32))\n"
                    "assert v.numpy().sum() == 3.0\n"
                    "s = onnxruntime.InferenceSession(MODEL, providers=['CPUExecutionProvider'])\n"
                    "out = s.run(None, {'x': np.arange(3, dtype=np.float32)})[0]\nassert np.allclose(out, [0, 1, 4])"),
    "onnx": ("onnx", "from onnx import helper, numpy_helper, TensorProto\nfrom onnx.reference import ReferenceEvaluator\n"
             "w = numpy_helper.from_array(np.arange(6, dtype=np.float32).reshape(2, 3), 'w')\n"
             "assert (numpy_helper.to_array(w) == np.arange(6).reshape(2, 3)).all()\n"
             "g = helper.make_graph([helper.make_node('Add', ['x', 'w'], ['y'])], 'g',"
             " [helper.make_tensor_value_info('x', TensorProto.FLOAT, [2, 3])],"
             " [helper.make_tensor_value_info('y', TensorProto.FLOAT, [2, 3])], [w])\n"
             "m = helper.make_model(g, opset_imports=[helper.make_opsetid('', 13)])\nonnx.checker.check_model(m)\n"
             "y = ReferenceEvaluator(m).run(None, {'x': np.ones((2, 3), np.float32)})[0]\n"
             "assert np.allclose(y, np.arange(1, 7).reshape(2, 3))"),
    # Image: an array through postprocess (saved to the cache as a file) and back through preprocess.
    "gradio": ("gradio", "import pandas as pd\nimg = np.random.default_rng(0).integers(0, 255, (8, 8, 3), dtype=np.uint8)\n"
               "with gradio.Blocks():\n    i = gradio.Image(type='numpy')\n    d = gradio.Dataframe()\n"
               "back = i.preprocess(i.postprocess(img))\nassert isinstance(back, np.ndarray) and back.shape == (8, 8, 3)\n"
               "d.postprocess(pd.DataFrame(np.arange(6).reshape(3, 2), columns=['a', 'b']))"),
    "pillow": ("PIL.Image", "from PIL import Image\na = np.arange(48, dtype=np.uint8).reshape(4, 4, 3)\n"
               "im = Image.fromarray(a)\nassert (np.asarray(im) == a).all()\n"
               "assert np.asarray(im.resize((8, 8))).shape == (8, 8, 3)\n"
               "assert np.array(Image.fromarray(np.eye(4, dtype=np.float32))).dtype == np.float32"),
    "pywavelets": ("pywt", "cA, cD = pywt.dwt(np.arange(8.0), 'db1')\nassert cA.shape == (4,)\n"
                   "assert np.allclose(pywt.idwt(cA, cD, 'db1'), np.arange(8.0))\n"
                   "assert len(pywt.wavedec2(np.ones((8, 8)), 'haar', level=2)) == 3"),
    "statsmodels": ("statsmodels.api", "sm = statsmodels.api\n"
                    "r = sm.OLS(np.array([1.0, 2.0, 3.1, 3.9]), sm.add_constant(np.arange(4.0))).fit()\n"
                    "assert r.params.shape == (2,)\nfrom statsmodels.tsa.stattools import acf\n"
                    "assert acf(np.sin(np.arange(30.0)), nlags=3).shape == (4,)\n"
                    "from statsmodels.tsa.arima.model import ARIMA\n"
                    "f = ARIMA(np.sin(np.arange(40) / 3.0), order=(1, 0, 0)).fit()\nassert f.forecast(2).shape == (2,)"),
    "numba": ("numba", "assert numba.njit(lambda a: a.sum())(np.arange(3.0)) == 3.0\n"
              "f = numba.vectorize(['float64(float64)'])(lambda x: x * 2)\nassert f(np.arange(3.0)).sum() == 6.0"),
    "duckdb": ("duckdb", "import pandas as pd\ncon = duckdb.connect()\n"
               "con.register('t', pd.DataFrame({'a': np.arange(5), 'b': np.arange(5.0)}))\n"
               "r = con.execute('SELECT sum(a) AS s, avg(b) AS m FROM t').fetchnumpy()\n"
               "assert r['s'][0] == 10 and r['m'][0] == 2.0\n"
               "assert con.execute('SELECT * FROM t').df()['b'].to_numpy().sum() == 10.0"),
    "joblib": ("joblib", "import io\nr = joblib.Parallel(n_jobs=2)(joblib.delayed(np.sum)(np.arange(i)) for i in range(4))\n"
               "assert r == [0, 0, 1, 3]\nbuf = io.BytesIO()\njoblib.dump(np.arange(5.0), buf)\nbuf.seek(0)\n"
               "assert joblib.load(buf).sum() == 10.0\nassert joblib.hash(np.arange(3)) == joblib.hash(np.arange(3))"),
    # No NumPy use: import only.
    "cookiecutter": ("cookiecutter.main", "assert callable(cookiecutter.main.cookiecutter)"),
    "rapidfuzz": ("rapidfuzz.process", "m = rapidfuzz.process.cdist(['abc', 'abd'], ['abc', 'xyz'], dtype=np.int32)\n"
                  "assert isinstance(m, np.ndarray) and m.shape == (2, 2) and m[0, 0] == 100"),
    # The functions that used names NumPy 2.0 removed in visions 0.7.6 (get_sequences, string_to_float). Not
    # infer_type of a pandas Series with a NaN on StandardSet: with visions 0.8.2 and multimethod 1.12 it raises
    # NotImplementedError on NumPy 1.26.4 as on 2.4.6.
    "visions": ("visions", "import pandas as pd\nfrom visions.functional import detect_type\n"
                "from visions.typesets import StandardSet\nfrom visions.backends.numpy.sequences import get_sequences\n"
                "from visions.backends.numpy.types.float import string_is_float, string_to_float\n"
                "from visions.backends.pandas.types.float import string_to_float as series_to_float\n"
                "assert str(detect_type(pd.Series([1.5, 2.5]), StandardSet())) == 'Float'\n"
                "assert len(get_sequences()) > 0\na = np.array(['1.5', '2', 'inf'])\n"
                "assert string_is_float(a, {}) and np.isinf(string_to_float(a, {})[2])\n"
                "assert series_to_float(pd.Series(['1.5', '-inf']), {}).tolist() == [1.5, float('-inf')]"),
    "chroma-hnswlib": ("hnswlib", "data = np.random.default_rng(0).random((20, 4)).astype(np.float32)\n"
                       "p = hnswlib.Index(space='l2', dim=4)\np.init_index(max_elements=20, ef_construction=50, M=8)\n"
                       "p.add_items(data, np.arange(20))\nlabels, dist = p.knn_query(data[:3], k=1)\n"
                       "assert (labels[:, 0] == np.arange(3)).all()"),
    "h5py": ("h5py", "f = h5py.File('mem.h5', 'w', driver='core', backing_store=False)\n"
             "f['a'] = np.arange(3.0)\nassert f['a'][()].sum() == 3.0\nf.close()"),
    "shapely": ("shapely", "pts = shapely.points(np.array([[0.0, 0.0], [1.0, 1.0]]))\n"
                "assert 6.2 < shapely.area(shapely.buffer(pts, 1.0)).sum() < 6.3\n"
                "assert len(shapely.MultiPoint([(0, 0), (1, 2)]).geoms) == 2"),
    "xarray": ("xarray", "assert xarray.DataArray(np.arange(3.0), dims='x').sum().item() == 3.0\n"
               "a = xarray.DataArray([1.0], dims='x', coords={'k': np.str_('a')})\n"
               "b = xarray.DataArray([2.0], dims='x', coords={'k': np.str_('b')})\n"
               "assert xarray.concat([a, b], dim='k').shape == (2, 1)"),
    "seaborn": ("seaborn", "import pandas as pd\nimport matplotlib\nmatplotlib.use('Agg')\n"
                "df = pd.DataFrame({'t': np.tile(np.arange(5), 4), 'y': np.arange(20.0),"
                " 'g': np.repeat(['a', 'b'], 10), 'e': np.tile(np.repeat(['c', 'd'], 5), 2)})\n"
                "seaborn.lineplot(data=df, x='t', y='y', hue='g', style='e')\nseaborn.histplot(df['y'])"),
    "shap": ("shap", "from sklearn.tree import DecisionTreeRegressor\nX = np.arange(8.0).reshape(4, 2)\n"
             "m = DecisionTreeRegressor().fit(X, [0.0, 1.0, 2.0, 3.0])\n"
             "assert shap.TreeExplainer(m).shap_values(X).shape == (4, 2)"),
    "pyarrow": ("pyarrow", "import pandas as pd\nassert pyarrow.array(np.arange(3.0)).to_numpy().sum() == 3.0\n"
                "t = pyarrow.Table.from_pandas(pd.DataFrame({'a': np.arange(3)}))\n"
                "assert t.to_pandas()['a'].to_numpy().sum() == 3"),
    "xgboost": ("xgboost", "rng = np.random.default_rng(0)\nX = rng.normal(size=(50, 3))\ny = X[:, 0] * 2\n"
                "m = xgboost.XGBRegressor(n_estimators=5, max_depth=2, n_jobs=1).fit(X, y)\n"
                "assert m.predict(X).shape == (50,)"),
    "pmdarima": ("pmdarima.arima", "y = np.sin(np.arange(40) / 3.0) + np.arange(40) * 0.1\n"
                 "m = pmdarima.arima.ARIMA(order=(1, 1, 0)).fit(y)\nassert m.predict(3).shape == (3,)"),
    "statsforecast": ("statsforecast.models", "from statsforecast.models import SeasonalNaive, AutoETS\n"
                      "y = np.sin(np.arange(40) / 3.0) + 2.0\n"
                      "assert SeasonalNaive(season_length=4).forecast(y=y, h=2)['mean'].shape == (2,)\n"
                      "assert AutoETS(season_length=1).forecast(y=y, h=2)['mean'].shape == (2,)"),
    "pyclipper": ("pyclipper", "pco = pyclipper.PyclipperOffset()\n"
                  "pco.AddPath(np.array([[0, 0], [10, 0], [10, 10], [0, 10]]), pyclipper.JT_ROUND,"
                  " pyclipper.ET_CLOSEDPOLYGON)\nout = np.array(pco.Execute(2.0)[0])\n"
                  "assert out.shape[1] == 2 and out.max() >= 11"),
    "pypdfium2": ("pypdfium2", "pdf = pypdfium2.PdfDocument.new()\npage = pdf.new_page(50, 40)\n"
                  "a = page.render(scale=1).to_numpy()\nassert a.shape[:2] == (40, 50)"),
    "soundfile": ("soundfile", "import io\nbuf = io.BytesIO()\n"
                  "soundfile.write(buf, np.sin(np.arange(800) / 10.0), 8000, format='WAV', subtype='FLOAT')\n"
                  "buf.seek(0)\ndata, sr = soundfile.read(buf)\nassert sr == 8000 and data.shape == (800,)"),
    "pydicom": ("pydicom", "from pydicom.dataset import Dataset, FileMetaDataset\n"
                "from pydicom.uid import ExplicitVRLittleEndian\nds = Dataset()\nds.file_meta = FileMetaDataset()\n"
                "ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian\nds.Rows, ds.Columns = 2, 3\n"
                "ds.SamplesPerPixel = 1\nds.PhotometricInterpretation = 'MONOCHROME2'\n"
                "ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 16, 15, 0\n"
                "ds.PixelData = np.arange(6, dtype=np.uint16).reshape(2, 3).tobytes()\n"
                "assert ds.pixel_array.shape == (2, 3) and ds.pixel_array.sum() == 15"),
    # presidio-analyzer imports spaCy (thinc, compiled against NumPy); no spaCy model is needed for either.
    "presidio-analyzer": ("presidio_analyzer", "from presidio_analyzer import Pattern, PatternRecognizer\n"
                          "r = PatternRecognizer(supported_entity='NUM', patterns=[Pattern('n', r'\\d+', 0.5)])\n"
                          "assert len(r.analyze('a 123 b', ['NUM'])) == 1\nimport spacy\n"
                          "assert spacy.blank('en')('a b').to_array(['ORTH']).shape == (2,)"),
    "lightgbm": ("lightgbm", "rng = np.random.default_rng(0)\nX = rng.normal(size=(50, 3))\ny = X[:, 0] * 2\n"
                 "m = lightgbm.LGBMRegressor(n_estimators=5, min_child_samples=2, verbose=-1, n_jobs=1).fit(X, y)\n"
                 "assert m.predict(X).shape == (50,)"),
    "sktime": ("sktime.forecasting.naive", "import pandas as pd\nfrom sktime.forecasting.naive import NaiveForecaster\n"
               "f = NaiveForecaster(strategy='mean').fit(pd.Series(np.arange(10.0)))\n"
               "assert np.allclose(f.predict(fh=[1, 2]).to_numpy(), 4.5)"),
    "pyod": ("pyod.models.knn", "from pyod.models.knn import KNN\nX = np.random.default_rng(0).normal(size=(30, 2))\n"
             "assert KNN(n_neighbors=3).fit(X).decision_scores_.shape == (30,)"),
    "imbalanced-learn": ("imblearn.over_sampling", "from imblearn.over_sampling import RandomOverSampler\n"
                         "X = np.arange(20.0).reshape(10, 2)\ny = np.array([0] * 8 + [1] * 2)\n"
                         "Xr, yr = RandomOverSampler(random_state=0).fit_resample(X, y)\n"
                         "assert np.bincount(yr).tolist() == [8, 8]"),
    "category-encoders": ("category_encoders", "import pandas as pd\n"
                          "out = category_encoders.OrdinalEncoder().fit_transform(pd.DataFrame({'a': ['x', 'y', 'x']}))\n"
                          "assert out['a'].to_numpy().tolist() == [1, 2, 1]"),
    "yellowbrick": ("yellowbrick.features", "import matplotlib\nmatplotlib.use('Agg')\n"
                    "from yellowbrick.features import Rank2D\nX = np.random.default_rng(0).normal(size=(20, 3))\n"
                    "v = Rank2D()\nv.fit(X)\nv.transform(X)\nassert v.ranks_.shape == (3, 3)"),
    "plotly": ("plotly.graph_objects", "import json\nimport plotly.graph_objects as go\n"
               "fig = go.Figure(go.Scatter(x=np.arange(3), y=np.arange(3.0) ** 2))\n"
               "assert json.loads(fig.to_json())['data'][0]['type'] == 'scatter'"),
    "networkx": ("networkx", "a = networkx.to_numpy_array(networkx.path_graph(3))\nassert a.sum() == 4\n"
                 "assert networkx.from_numpy_array(np.eye(3)).number_of_nodes() == 3"),
    "phik": ("phik", "import pandas as pd\nrng = np.random.default_rng(0)\n"
             "df = pd.DataFrame({'x': rng.normal(size=50), 'y': rng.normal(size=50), 'c': rng.choice(['a', 'b'], 50)})\n"
             "assert df.phik_matrix(interval_cols=['x', 'y']).shape == (3, 3)"),
    "imagehash": ("imagehash", "from PIL import Image\n"
                  "im = Image.fromarray(np.random.default_rng(0).integers(0, 255, (32, 32), dtype=np.uint8))\n"
                  "assert imagehash.average_hash(im) - imagehash.average_hash(im) == 0\n"
                  "imagehash.phash(im)\nimagehash.whash(im)"),
    "wordcloud": ("wordcloud", "wc = wordcloud.WordCloud(width=60, height=40, random_state=0)"
                  ".generate('alpha beta gamma alpha beta alpha')\nassert wc.to_array().shape == (40, 60, 3)"),
    "ta-lib": ("talib", "assert np.allclose(talib.SMA(np.arange(10.0), 3)[2:], np.arange(1.0, 9.0))"),
    "numpy-groupies": ("numpy_groupies", "r = numpy_groupies.aggregate(np.array([0, 0, 1]), np.array([1.0, 2.0, 3.0]))\n"
                       "assert r.tolist() == [3.0, 3.0]"),
}
SMOKE["opencv-python-headless"] = SMOKE["opencv-contrib-python"] = SMOKE["opencv-python"]
SMOKE["opencv-contrib-python-headless"] = SMOKE["opencv-python"]

BANNER_RE = re.compile(r"A module that was compiled using NumPy 1\.x cannot be run in\s+NumPy \S+ as it may crash\.")

CHILD = r'''
import faulthandler, json, sys, traceback, warnings
faulthandler.enable()
module, smoke, out = sys.argv[1], sys.argv[2], sys.argv[3]
res = {}
def mark(stage):
    res["stage"] = stage
    with open(out + ".stage", "w") as f:
        f.write(stage)
mark("import")
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    try:
        g = {}
        exec("import numpy as np\nassert int(np.__version__.split('.')[0]) >= 2, 'numpy ' + np.__version__", g)
        res["numpy"] = g["np"].__version__
        exec("import " + module, g)
        mark("use")
        exec(smoke, g)
        res["result"] = "works"
        del res["stage"]
    except BaseException as e:
        res["result"] = "fails"
        lines = traceback.format_exception_only(type(e), e)[0].strip().splitlines()
        res["error"] = lines[0].strip() if lines else type(e).__name__
        res["traceback"] = traceback.format_exc()[-6000:]
    res["warnings"] = sorted(set("%s: %s" % (w.category.__name__, (str(w.message).splitlines() or [""])[0][:200])
                                 for w in caught))
with open(out, "w") as f:
    json.dump(res, f)
'''

_print_lock = threading.Lock()


def log(*a) -> None:
    with _print_lock:
        print(*a, file=sys.stderr, flush=True)


def canon(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def run(cmd, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([str(c) for c in cmd], capture_output=True, text=True, **kw)


def ensure_uv(work: Path, python: str) -> str:
    uv = work / "uv" / "bin" / "uv"
    if not uv.exists():
        run([python, "-m", "venv", work / "uv"], check=True)
        run([work / "uv" / "bin" / "pip", "install", "-q", f"uv=={UV_VERSION}"], check=True)
    return str(uv)


def first_env(manifest: dict) -> dict:
    return manifest["environments"][0]


def plan_part(plan: dict, env: str) -> dict | None:
    """The part of the plan of environment `env` (changes or ready) whose targets include TARGET."""
    for f in plan["files"]:
        if f["environment"] != env:
            continue
        for part in f["parts"]:
            if part["outcome"] in ("changes", "ready") and TARGET in [
                    {"python": t["python"], "platform": t["platform"]} for t in part["targets"]]:
                return part
    return None


def requirement_lines(manifest: dict, env: dict) -> list[str]:
    conda = manifest["format"] == "conda-environment"
    lines = []
    for i in env["requirements"]:
        r = manifest["requirements"][i]
        name = r.get("name")
        if not name or r.get("source", {}).get("kind", "registry") != "registry":
            continue
        if conda and canon(name) in ("python", "pip"):
            continue
        line = name + ("[%s]" % ",".join(r["extras"]) if r.get("extras") else "") + (r.get("specifiers") or "")
        if r.get("marker"):
            line += " ; " + r["marker"]
        lines.append(line)
    return lines + [SPEC]


def uv_error(text: str) -> str:
    """uv's error line with its first cause (continuation lines joined), as one line."""
    lines = text.splitlines()
    for i, l in enumerate(lines):
        s = l.strip()
        if not s.startswith(("error:", "×")):
            continue
        head = s.split(":", 1)[1].strip() if s.startswith("error:") else s.lstrip("×").strip()
        cause = []
        for nxt in lines[i + 1:]:
            t = nxt.strip()
            if t.startswith(("cause:", "╰─▶")) and not cause:
                cause.append(t.split(":", 1)[1].strip() if t.startswith("cause:") else t.lstrip("╰─▶").strip())
            elif cause and t and not t.startswith(("cause:", "hint:", "[stderr]", "[stdout]")) and nxt.startswith("   "):
                cause.append(t)
            elif cause:
                break
        return (head + (": " + " ".join(cause) if cause else ""))[:600]
    return next((l.strip() for l in lines if l.strip()), "uv failed")


def build_failure_detail(text: str) -> str | None:
    """The first compiler error, or the last Python exception, in a failed source build's output."""
    m = re.search(r"fatal error: [^\n]+", text)
    if m:
        return m.group(0).strip()
    exc = re.findall(r"^\s*([A-Za-z_.]*(?:Error|Exception)(?::[^\n]*)?)$", text, re.M)
    if exc:
        return exc[-1].strip()
    m = re.search(r"\berror: [^\n]+", text)
    return m.group(0).strip() if m else None


def installed_dists(py: str) -> dict[str, dict]:
    code = ("import json, importlib.metadata as m\n"
            "out = {}\n"
            "for d in m.distributions():\n"
            "    w = d.read_text('WHEEL') or ''\n"
            "    out[d.metadata['Name']] = {'version': d.version, 'purelib': 'Root-Is-Purelib: true' in w,"
            " 'tags': [l.split(':', 1)[1].strip() for l in w.splitlines() if l.startswith('Tag:')]}\n"
            "print(json.dumps(out))")
    p = run([py, "-I", "-c", code], check=True)
    return {canon(k): v for k, v in json.loads(p.stdout).items()}


def smoke(py: str, venv: Path, dist: str, tmp: Path) -> dict:
    module, code = SMOKE[dist]
    d = tmp / canon(dist)
    d.mkdir(parents=True, exist_ok=True)
    out = d / "child.json"
    env = {"PATH": f"{venv / 'bin'}:/usr/bin:/bin", "HOME": str(d), "LANG": "C.UTF-8", "MPLBACKEND": "Agg",
           "MPLCONFIGDIR": str(d), "OMP_NUM_THREADS": "1", "NUMBA_CACHE_DIR": str(d), "GRADIO_TEMP_DIR": str(d),
           "GRADIO_ANALYTICS_ENABLED": "False", "HF_HUB_OFFLINE": "1", "DO_NOT_TRACK": "1", "TMPDIR": str(d)}
    try:
        p = run([py, "-I", "-c", CHILD, module, code, out], cwd=d, env=env, timeout=900)
        stderr, rc = p.stderr, p.returncode
    except subprocess.TimeoutExpired as e:
        stderr = e.stderr.decode("utf-8", "replace") if isinstance(e.stderr, bytes) else (e.stderr or "")
        rc = "timeout"
    if out.exists():
        res = json.loads(out.read_text())
    else:
        stage_file = Path(str(out) + ".stage")
        stage = stage_file.read_text() if stage_file.exists() else "import"
        if rc == "timeout":
            err = "Timeout: no result within 900 s"
        else:
            err = "exit status %s" % rc
            m = re.search(r"Fatal Python error: [^\n]+", stderr)
            if m:
                err = m.group(0)
        res = {"result": "fails", "stage": stage, "error": err, "warnings": [], "traceback": stderr[-6000:]}
    res["module"] = module
    res["dist"] = dist
    res["numpy1_banner"] = bool(BANNER_RE.search(stderr))
    res["stderr_tail"] = stderr[-3000:]
    return res


def run_file(folder: str, args, uv: str) -> dict:
    src_dir = CORPUS / folder
    (name,) = [p.name for p in src_dir.iterdir() if p.is_file()]
    work = Path(args.workdir)
    logs = work / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    base = work / folder
    shutil.rmtree(base, ignore_errors=True)
    base.mkdir(parents=True)
    copy_dir = base / "copy"
    shutil.copytree(src_dir, copy_dir)
    copy = copy_dir / name

    # 1. the plan, then the written file.
    p = run([args.nplint, "upgrade", SPEC, copy, "--format", "json"])
    plan = json.loads(p.stdout)
    manifest0 = json.loads(run([args.nplint, "debug", "manifest", copy], check=True).stdout)
    env = first_env(manifest0)["name"]
    part = plan_part(plan, env)
    if part is None:
        raise RuntimeError(f"{folder}: the plan of environment {env} has no changes/ready part for {TARGET}")
    changed = [canon(c["package"]) for c in part.get("changes", [])]
    w = run([args.nplint, "upgrade", SPEC, copy, "--write"])
    if w.returncode not in (0, 1) or "wrote" not in (w.stdout + w.stderr) and part["outcome"] == "changes":
        raise RuntimeError(f"{folder}: nplint upgrade --write failed ({w.returncode}): {w.stderr[-2000:]}")
    written = copy.read_bytes()
    record = {"file": f"{folder}/{name}", "environment": env, "python": TARGET["python"],
              "platform": TARGET["platform"], "plan_sha256": hashlib.sha256(written).hexdigest()}

    # 2. the requirements.
    manifest = json.loads(run([args.nplint, "debug", "manifest", copy], check=True).stdout)
    envs = [e for e in manifest["environments"] if e["name"] == env]
    reqs = requirement_lines(manifest, envs[0])
    req_file = base / "requirements.txt"
    req_file.write_text("\n".join(reqs) + "\n")
    (logs / f"{folder}.requirements.txt").write_text("\n".join(reqs) + "\n")

    # 3. the venv and the install.
    venv = base / "venv"
    run([uv, "venv", "--quiet", "--python", args.python, venv], check=True)
    py = str(venv / "bin" / "python")
    common = [uv, "pip", "install", "--python", py, "--exclude-newer", EXCLUDE_NEWER, "-r", req_file]
    log(f"[{folder}] installing {len(reqs)} requirements (wheels only)")
    only_binary = ["--only-binary", ":all:"]
    inst = run(common + only_binary, timeout=7200)
    (logs / f"{folder}.install-binary.log").write_text(inst.stdout + inst.stderr)
    binary_only = inst.returncode == 0
    # Falling back: source distributions are allowed only for the distributions uv names as having no usable wheel
    # (`--no-binary NAME`), one at a time, so that the resolver never trades a wheel for an old sdist elsewhere.
    allowed: list[str] = []
    if not binary_only:
        record["binary_only_error"] = uv_error(inst.stderr)
        while inst.returncode != 0 and len(allowed) < 40:
            m = re.search(r"Wheels are required for `([^`]+)`", inst.stderr)
            if not m or m.group(1) in allowed:
                break
            allowed.append(m.group(1))
            log(f"[{folder}] allowing a source distribution of {m.group(1)}")
            inst = run(common + only_binary + [a for n in allowed for a in ("--no-binary", n)], timeout=7200)
            with open(logs / f"{folder}.install-sdist.log", "a" if len(allowed) > 1 else "w") as f:
                f.write(f"### --no-binary {' '.join(allowed)}\n" + inst.stdout + inst.stderr)
    record["binary_only"] = binary_only
    modules_to_test = [d for d in dict.fromkeys(changed + MAIN[folder]) if d != "numpy"]
    missing = [d for d in modules_to_test if d not in SMOKE]
    if missing:
        raise RuntimeError(f"{folder}: no smoke operation for {missing}")
    record["modules"] = [SMOKE[d][0] for d in modules_to_test]
    if inst.returncode != 0:
        err = uv_error(inst.stderr)
        detail = build_failure_detail(inst.stderr) if "build" in err.lower() else None
        record.update(result="fails", stage="install", error=err)
        if detail:
            record["detail"] = detail
        if allowed:
            record["sdists"] = allowed
        record["installed"] = []
        return record
    dists = installed_dists(py)
    if allowed:  # (uv prints "Built" only when the wheel is not in its cache yet: the installed dists say it all)
        record["sdists"] = ["%s==%s%s" % (n, dists[canon(n)]["version"], "" if dists[canon(n)]["purelib"] else
                                          " (compiled)") if canon(n) in dists else f"{n} (not installed)"
                            for n in allowed]
    record["numpy"] = dists.get("numpy", {}).get("version", "")
    record["installed"] = ["%s==%s" % (d, dists[d]["version"]) if d in dists else f"{d} (not installed)"
                           for d in changed]
    record["n_installed"] = len(dists)

    # 4. the smoke tests, one fresh subprocess a module.
    tmp = base / "tmp"
    results = []
    for d in modules_to_test:
        r = smoke(py, venv, d, tmp)
        log(f"[{folder}] {r['module']}: {r['result']}" + (f" ({r['stage']}: {r['error']})" if r["result"] != "works" else ""))
        results.append(r)
    (logs / f"{folder}.smoke.json").write_text(json.dumps(results, indent=1))
    site = str(venv / "lib" / "python3.11" / "site-packages") + "/"
    for r in results:
        if "error" in r:
            r["error"] = r["error"].replace(site, "site-packages/")
    failed = [r for r in results if r["result"] != "works"]
    if failed:
        f0 = failed[0]
        record.update(result="fails", stage=f0["stage"], module=f0["module"], error=f0["error"])
        if len(failed) > 1:
            record["failed_modules"] = [r["module"] for r in failed]
    else:
        record["result"] = "works"
    banner = [r["module"] for r in results if r["numpy1_banner"]]
    if banner:
        record["numpy1_banner"] = banner
    return record


# --- TOML, by hand.

def toml_str(s: str) -> str:
    out = []
    for ch in s:
        o = ord(ch)
        if ch == "\\":
            out.append("\\\\")
        elif ch == '"':
            out.append('\\"')
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ch == "\r":
            out.append("\\r")
        elif o < 0x20 or o == 0x7f:
            out.append("\\u%04x" % o)
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def toml_value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, str):
        return toml_str(v)
    if isinstance(v, list):
        return "[" + ", ".join(toml_value(x) for x in v) + "]"
    raise TypeError(v)


KEYS = ["file", "environment", "python", "platform", "plan_sha256", "numpy", "result", "stage", "module", "error",
        "detail", "failed_modules", "installed", "modules", "binary_only", "binary_only_error", "sdists",
        "numpy1_banner", "n_installed"]

HEADER = """\
# Installs of the environments that `nplint upgrade 'numpy>=2'` plans for the files of tests/upgrade/corpus, on
# CPython 3.11 (3.11.7) on linux x86_64, produced by tests/upgrade/install.py on {date}
# with {version} at {nplint},
# uv {uv} and --exclude-newer {exclude}.
#
# Per file: the plan written into a copy (`plan_sha256` is the SHA-256 of the written file); its first environment's
# requirements plus `numpy>=2` installed into a fresh venv (`binary_only`: wheels only; else the wheels-only install
# failed, `binary_only_error` saying why, and source distributions were then allowed for the distributions without a
# usable wheel only, `sdists` listing them, "(compiled)" when the built wheel is not pure Python); then,
# per module in `modules`, a fresh subprocess that imports numpy (asserting 2.x), imports the module and runs a small
# NumPy-interop operation (SMOKE in install.py). `result` is "works" when all of them pass, else "fails" with the
# `stage` (install, import or use), the `module` and the first line of the `error` of the first that failed.
# `installed` gives the installed versions of the distributions the plan changed; `numpy` the installed NumPy (both
# absent or empty when the install failed); `detail` the build error of a failed source build.
# Nothing was adjusted to make an install pass.
"""


def write_toml(records: list[dict], out: Path, meta: dict) -> None:
    parts = [HEADER.format(**meta)]
    for r in sorted(records, key=lambda r: r["file"]):
        parts.append("\n[[install]]\n")
        for k in KEYS:
            if k in r:
                parts.append(f"{k} = {toml_value(r[k])}\n")
    out.write_text("".join(parts))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--nplint", default="/tmp/nplint-rec/nplint")
    ap.add_argument("--workdir", default="/tmp/upgrade-installs")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--only", nargs="*")
    ap.add_argument("--rerun", action="store_true")
    ap.add_argument("--keep", action="store_true", help="keep each file's venv")
    ap.add_argument("--python", default=DEFAULT_PYTHON)
    ap.add_argument("--uv")
    ap.add_argument("--out", default=str(HERE / "installs.toml"))
    args = ap.parse_args()
    if sys.platform != "linux" or platform.machine() != "x86_64":
        sys.exit("runs on linux x86_64 only")
    v = run([args.python, "-c", "import platform; print(platform.python_version())"], check=True).stdout.strip()
    if not v.startswith("3.11."):
        sys.exit(f"{args.python} is CPython {v}, not 3.11")
    work = Path(args.workdir)
    (work / "results").mkdir(parents=True, exist_ok=True)
    uv = args.uv or ensure_uv(work, args.python)
    folders = args.only or FILES
    todo = [f for f in folders if args.rerun or not (work / "results" / f"{f}.json").exists()]

    def job(folder: str):
        try:
            rec = run_file(folder, args, uv)
        finally:
            if not args.keep:
                shutil.rmtree(work / folder / "venv", ignore_errors=True)
        (work / "results" / f"{folder}.json").write_text(json.dumps(rec, indent=1))
        log(f"[{folder}] {rec['result']}" + (f" ({rec.get('stage')}: {rec.get('error')})" if rec["result"] != "works" else ""))

    errors = 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as ex:
        futs = {ex.submit(job, f): f for f in todo}
        for fut in concurrent.futures.as_completed(futs):
            try:
                fut.result()
            except Exception as e:  # a failure of this script, not of the install: no record
                errors += 1
                log(f"[{futs[fut]}] ERROR {type(e).__name__}: {e}")

    records = [json.loads((work / "results" / f"{f}.json").read_text()) for f in FILES
               if (work / "results" / f"{f}.json").exists()]
    meta = {
        "date": datetime.date.today().isoformat(),
        "version": run([args.nplint, "--version"]).stdout.strip(),
        "nplint": args.nplint,
        "uv": run([uv, "--version"]).stdout.split()[1],
        "exclude": EXCLUDE_NEWER,
    }
    write_toml(records, Path(args.out), meta)
    log(f"wrote {len(records)} records to {args.out}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
