//! Integrity checks over the whole checked-in index (`data/`), and over fixtures that show each check catches
//! what it is for.
//!
//! Every check is a function from a data directory to the list of problems it finds, each problem naming the file,
//! release and string at fault. The checks run on the real data (where an empty index passes, since there is
//! nothing to contradict, and `empty_data_means_an_empty_index` pins that state down) and on
//! `tests/fixtures/integrity/{good,broken}`, where the broken fixture must produce exactly the expected list.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::{LazyLock, OnceLock};

use nplint_index::source::{PackageFile, Snapshot, StoredPackageFile};
use nplint_index::{AppliesTo, Index, Version, WheelPython, compact};

/// Upstream strings that are not valid PEP 440 (`Requires-Python`) or PEP 508 (`Requires-Dist`), as published,
/// each with the reason. An entry covers every release of the package carrying that exact string. The list is kept
/// exact in both directions: a string missing from it fails `checked_in_strings_parse`, and so does an entry that
/// no longer occurs, so the list cannot outlive the data it excuses.
///
/// The index keeps such strings verbatim and the API reports them unparsed ([`nplint_index::Parsed::error`]); a
/// requirement that does not parse constrains nothing in `Release::requirement_on`, as modern pip, whose
/// `packaging` rejects the same strings, does not apply them either.
const KNOWN_UNPARSEABLE: &[Known] = &[
    known(
        "adlfs",
        Field::RequiresDist,
        "fsspec (>=0.4.0<1.0)",
        MISSING_COMMA,
    ),
    known(
        "adlfs",
        Field::RequiresDist,
        "fsspec>=0.4.0<1.0",
        MISSING_COMMA,
    ),
    known(
        "adlfs",
        Field::RequiresDist,
        "fsspec>=0.4.0<0.6",
        MISSING_COMMA,
    ),
    known(
        "adlfs",
        Field::RequiresDist,
        "fsspec<0.8.,>=0.6.0",
        TRAILING_DOT,
    ),
    known(
        "clickhouse-driver",
        Field::RequiresPython,
        ">=3.4.*, <4",
        WILDCARD_WITH_ORDERING,
    ),
    known(
        "datasets",
        Field::RequiresDist,
        "pyarrow (>=1.0.0<4.0.0)",
        MISSING_COMMA,
    ),
    known(
        "dbt-spark",
        Field::RequiresDist,
        "dbt-core (>==0.15.3)",
        DOUBLED_OPERATOR,
    ),
    known(
        "fastparquet",
        Field::RequiresPython,
        ">=2.7, !=3.0.*, !=3.1.*, !=3.2.*, !=3.3.*, !=3.4.*,",
        TRAILING_COMMA,
    ),
    known(
        "fastparquet",
        Field::RequiresPython,
        ">=3.6,",
        TRAILING_COMMA,
    ),
    known(
        "fastparquet",
        Field::RequiresPython,
        ">=3.7,",
        TRAILING_COMMA,
    ),
    known(
        "flask-appbuilder",
        Field::RequiresDist,
        "marshmallow-sqlalchemy>=0.16.1<1",
        MISSING_COMMA,
    ),
    known(
        "google-cloud-bigquery",
        Field::RequiresDist,
        "pyarrow (<2.0de,>=1.0.0) ; (python_version >= \"3.5\") and extra == 'all'",
        CUT_SHORT,
    ),
    known(
        "google-cloud-bigquery",
        Field::RequiresDist,
        "pyarrow (<2.0de,>=1.0.0) ; (python_version >= \"3.5\") and extra == 'pyarrow'",
        CUT_SHORT,
    ),
    known(
        "gym",
        Field::RequiresDist,
        "opencv-python>=3.; extra == \"all\"",
        TRAILING_DOT,
    ),
    known(
        "gym",
        Field::RequiresDist,
        "opencv-python>=3.; extra == \"atari\"",
        TRAILING_DOT,
    ),
    known(
        "gym",
        Field::RequiresDist,
        "opencv-python>=3.; extra == \"nomujoco\"",
        TRAILING_DOT,
    ),
    known(
        "gym",
        Field::RequiresDist,
        "opencv-python>=3.; extra == \"other\"",
        TRAILING_DOT,
    ),
    known(
        "ipykernel",
        Field::RequiresDist,
        "matplotlib-inline (<0.2.0appnope,>=0.1.0) ; platform_system == \"Darwin\"",
        NAME_RUN_INTO_VERSION,
    ),
    known(
        "lightning",
        Field::RequiresDist,
        "torch (>=1.9.*)",
        WILDCARD_WITH_ORDERING,
    ),
    known(
        "lightning-lite",
        Field::RequiresDist,
        "torch (>=1.9.*)",
        WILDCARD_WITH_ORDERING,
    ),
    known(
        "mlflow",
        Field::RequiresDist,
        "ipython (>=7.0.*) ; extra == 'pipelines'",
        WILDCARD_WITH_ORDERING,
    ),
    known(
        "mlflow",
        Field::RequiresDist,
        "pyarrow (>=7.0.*) ; extra == 'pipelines'",
        WILDCARD_WITH_ORDERING,
    ),
    known(
        "mlflow",
        Field::RequiresDist,
        "scikit-learn (>=1.0.*) ; extra == 'pipelines'",
        WILDCARD_WITH_ORDERING,
    ),
    known(
        "mlflow",
        Field::RequiresDist,
        "scikit-learn; python_version >= '3.5'; extra == \"extras\"",
        TWO_MARKERS,
    ),
    known(
        "mlflow",
        Field::RequiresDist,
        "scikit-learn==0.20; python_version < '3.5'; extra == \"extras\"",
        TWO_MARKERS,
    ),
    known(
        "mlflow",
        Field::RequiresDist,
        "shap (>=0.40.*) ; extra == 'pipelines'",
        WILDCARD_WITH_ORDERING,
    ),
    known(
        "mlflow-skinny",
        Field::RequiresDist,
        "ipython (>=7.0.*) ; extra == 'pipelines'",
        WILDCARD_WITH_ORDERING,
    ),
    known(
        "mlflow-skinny",
        Field::RequiresDist,
        "pyarrow (>=7.0.*) ; extra == 'pipelines'",
        WILDCARD_WITH_ORDERING,
    ),
    known(
        "mlflow-skinny",
        Field::RequiresDist,
        "scikit-learn (>=1.0.*) ; extra == 'pipelines'",
        WILDCARD_WITH_ORDERING,
    ),
    known(
        "mlflow-skinny",
        Field::RequiresDist,
        "shap (>=0.40.*) ; extra == 'pipelines'",
        WILDCARD_WITH_ORDERING,
    ),
    known(
        "moviepy",
        Field::RequiresDist,
        "matplotlib>=2.0.0,<3.0; python_version>='3.4'; extra == \"optional\"",
        TWO_MARKERS,
    ),
    known(
        "moviepy",
        Field::RequiresDist,
        "opencv-python>=3.0,<4.0; python_version!='2.7'; extra == \"optional\"",
        TWO_MARKERS,
    ),
    known(
        "moviepy",
        Field::RequiresDist,
        "scikit-image>=0.13.0,<1.0; python_version>='3.4'; extra == \"optional\"",
        TWO_MARKERS,
    ),
    known(
        "moviepy",
        Field::RequiresDist,
        "scikit-learn; python_version>='3.4'; extra == \"optional\"",
        TWO_MARKERS,
    ),
    known(
        "moviepy",
        Field::RequiresDist,
        "scipy>=0.19.0,<1.0; python_version!='3.3'; extra == \"optional\"",
        TWO_MARKERS,
    ),
    known(
        "nltk",
        Field::RequiresPython,
        ">=3.5.*",
        WILDCARD_WITH_ORDERING,
    ),
    known(
        "polars",
        Field::RequiresDist,
        "pyarrow>=4.0.*",
        WILDCARD_WITH_ORDERING,
    ),
    known(
        "polars",
        Field::RequiresDist,
        "pyarrow>=4.0.*; extra == 'pandas'",
        WILDCARD_WITH_ORDERING,
    ),
    known(
        "polars",
        Field::RequiresDist,
        "pyarrow>=4.0.*; extra == 'pyarrow'",
        WILDCARD_WITH_ORDERING,
    ),
    known(
        "pyod",
        Field::RequiresDist,
        "scikit_learn<=0.21.*,>=0.19.1",
        WILDCARD_WITH_ORDERING,
    ),
    known(
        "pyro-ppl",
        Field::RequiresDist,
        "torch (>=1.6<1.8)",
        MISSING_COMMA,
    ),
    known(
        "pyro-ppl",
        Field::RequiresDist,
        "torchvision (>=0.7<0.9) ; extra == 'dev'",
        MISSING_COMMA,
    ),
    known(
        "pyro-ppl",
        Field::RequiresDist,
        "torchvision (>=0.7<0.9) ; extra == 'extras'",
        MISSING_COMMA,
    ),
    known(
        "pyro-ppl",
        Field::RequiresDist,
        "torchvision (>=0.7<0.9) ; extra == 'test'",
        MISSING_COMMA,
    ),
    known(
        "pytorch-lightning",
        Field::RequiresDist,
        "torch (>=1.7.*)",
        WILDCARD_WITH_ORDERING,
    ),
    known(
        "pytorch-lightning",
        Field::RequiresDist,
        "torch (>=1.8.*)",
        WILDCARD_WITH_ORDERING,
    ),
    known(
        "pytorch-lightning",
        Field::RequiresDist,
        "torch (>=1.9.*)",
        WILDCARD_WITH_ORDERING,
    ),
    known(
        "pytorch-lightning",
        Field::RequiresDist,
        "torchvision (>=0.10.*) ; extra == 'all'",
        WILDCARD_WITH_ORDERING,
    ),
    known(
        "pytorch-lightning",
        Field::RequiresDist,
        "torchvision (>=0.10.*) ; extra == 'examples'",
        WILDCARD_WITH_ORDERING,
    ),
    known(
        "pytorch-lightning",
        Field::RequiresDist,
        "torchvision (>=0.8.*) ; extra == 'all'",
        WILDCARD_WITH_ORDERING,
    ),
    known(
        "pytorch-lightning",
        Field::RequiresDist,
        "torchvision (>=0.8.*) ; extra == 'cpu'",
        WILDCARD_WITH_ORDERING,
    ),
    known(
        "pytorch-lightning",
        Field::RequiresDist,
        "torchvision (>=0.8.*) ; extra == 'examples'",
        WILDCARD_WITH_ORDERING,
    ),
    known(
        "pytorch-lightning",
        Field::RequiresDist,
        "torchvision (>=0.9.*) ; extra == 'all'",
        WILDCARD_WITH_ORDERING,
    ),
    known(
        "pytorch-lightning",
        Field::RequiresDist,
        "torchvision (>=0.9.*) ; extra == 'cpu'",
        WILDCARD_WITH_ORDERING,
    ),
    known(
        "pytorch-lightning",
        Field::RequiresDist,
        "torchvision (>=0.9.*) ; extra == 'examples'",
        WILDCARD_WITH_ORDERING,
    ),
    known(
        "pyvista",
        Field::RequiresPython,
        ">=3.5.*",
        WILDCARD_WITH_ORDERING,
    ),
    known(
        "pyvista",
        Field::RequiresPython,
        ">=3.6.*",
        WILDCARD_WITH_ORDERING,
    ),
    known(
        "pyvista",
        Field::RequiresPython,
        ">=3.7.*",
        WILDCARD_WITH_ORDERING,
    ),
    known(
        "redshift-connector",
        Field::RequiresDist,
        "numpy (>=1.15.4<1.20.0)",
        MISSING_COMMA,
    ),
    known(
        "scanpy",
        Field::RequiresDist,
        "matplotlib==2.0.0  # 2.0.2 seems buggy",
        INLINE_COMMENT,
    ),
    known(
        "sktime",
        Field::RequiresDist,
        "numba (<=0.50.*) ; extra == 'all_extras'",
        WILDCARD_WITH_ORDERING,
    ),
    known(
        "sktime",
        Field::RequiresDist,
        "numba (>=0.50.*)",
        WILDCARD_WITH_ORDERING,
    ),
    known(
        "smart-open",
        Field::RequiresPython,
        ">=3.5.*",
        WILDCARD_WITH_ORDERING,
    ),
    known(
        "smart-open",
        Field::RequiresPython,
        ">=3.6.*",
        WILDCARD_WITH_ORDERING,
    ),
    known(
        "spacy",
        Field::RequiresDist,
        "msgpack-numpy (<0.29,<0.4.4.0murmurhash>=0.28)",
        MERGED_REQUIREMENTS,
    ),
    known(
        "spacy",
        Field::RequiresDist,
        "msgpack-numpy (<0.4.4.0murmurhash>=0.28.0,<1.1.0)",
        MERGED_REQUIREMENTS,
    ),
    known(
        "sunpy",
        Field::RequiresDist,
        "astropy (>=2.0.3>=3.0.2)",
        MISSING_COMMA,
    ),
    known(
        "swifter",
        Field::RequiresDist,
        "ipywidgets>=7.0.0cloudpickle>=0.2.2",
        NAME_RUN_INTO_VERSION,
    ),
    known(
        "tensorflowjs",
        Field::RequiresDist,
        "tensorflow-cpu (>=2.1.0<3)",
        MISSING_COMMA,
    ),
    known(
        "timple",
        Field::RequiresPython,
        ">=3.*",
        WILDCARD_WITH_ORDERING,
    ),
    known(
        "tsfresh",
        Field::RequiresDist,
        "matrixprofile (>=1.1.10<2.0.0)",
        MISSING_COMMA,
    ),
    known("webcolors", Field::RequiresPython, ">=3.5,", TRAILING_COMMA),
    // Projects held from their newest releases on (the full tier beyond the first 2,000): read by the same sync.
    known(
        "acoustics",
        Field::RequiresPython,
        ">=3.6.*",
        WILDCARD_WITH_ORDERING,
    ),
    known(
        "airflow-clickhouse-plugin",
        Field::RequiresPython,
        ">=3.6.*",
        WILDCARD_WITH_ORDERING,
    ),
    known(
        "airflow-clickhouse-plugin",
        Field::RequiresPython,
        ">=3.7.*",
        WILDCARD_WITH_ORDERING,
    ),
    known(
        "apache-airflow-providers-asana",
        Field::RequiresDist,
        "apache-airflow (>=2.3.0.*)",
        WILDCARD_WITH_ORDERING,
    ),
    known(
        "atomate2",
        Field::RequiresPython,
        ">=\"3.8\"",
        QUOTED_VERSION,
    ),
    known(
        "auto-sklearn",
        Field::RequiresPython,
        ">=3.5.*",
        WILDCARD_WITH_ORDERING,
    ),
    known(
        "automl-sphinx-theme",
        Field::RequiresDist,
        "sphinx-toolbox>=2.17.0sphinx-autodoc-typehints>=1.16.0",
        NAME_RUN_INTO_VERSION,
    ),
    known(
        "azureml-interpret",
        Field::RequiresDist,
        "numpy (<=1.20.*)",
        WILDCARD_WITH_ORDERING,
    ),
    known(
        "bert-score",
        Field::RequiresDist,
        "transformers (>=3.0.0numpy)",
        NAME_RUN_INTO_VERSION,
    ),
    known(
        "camel-tools",
        Field::RequiresPython,
        ">=3.7.0, <3.10.*",
        WILDCARD_WITH_ORDERING,
    ),
    known(
        "catalyst",
        Field::RequiresDist,
        "hydra-core (<1.1.0>=1.0.0) ; extra == 'all'",
        MISSING_COMMA,
    ),
    known(
        "catalyst",
        Field::RequiresDist,
        "hydra-core (<1.1.0>=1.0.0) ; extra == 'hydra'",
        MISSING_COMMA,
    ),
    known(
        "catalyst",
        Field::RequiresDist,
        "scikit-image (<0.19.0>=0.16.1) ; extra == 'all'",
        MISSING_COMMA,
    ),
    known(
        "catalyst",
        Field::RequiresDist,
        "scikit-image (<0.19.0>=0.16.1) ; extra == 'cv'",
        MISSING_COMMA,
    ),
    known(
        "catalyst",
        Field::RequiresDist,
        "tensorboardX (<2.3.0>=2.1.0)",
        MISSING_COMMA,
    ),
    known(
        "cell2location",
        Field::RequiresDist,
        "pymc3 (>=3.8<3.10)",
        MISSING_COMMA,
    ),
    known(
        "clip-benchmark",
        Field::RequiresDist,
        "scikit-learn (>=1.0<2)",
        MISSING_COMMA,
    ),
    known(
        "clip-benchmark",
        Field::RequiresDist,
        "torch (>=1.8.1<2)",
        MISSING_COMMA,
    ),
    known(
        "clip-benchmark",
        Field::RequiresDist,
        "torchvision (>=0.8.9<2)",
        MISSING_COMMA,
    ),
    known(
        "cloudsearch",
        Field::RequiresPython,
        ">=3.6.*",
        WILDCARD_WITH_ORDERING,
    ),
    known(
        "configspace",
        Field::RequiresPython,
        ">=3.5.*",
        WILDCARD_WITH_ORDERING,
    ),
    known(
        "configspace",
        Field::RequiresPython,
        ">=3.6.*",
        WILDCARD_WITH_ORDERING,
    ),
    known(
        "depinfo",
        Field::RequiresPython,
        ">=3.5.*",
        WILDCARD_WITH_ORDERING,
    ),
    known(
        "dgllife",
        Field::RequiresDist,
        "torch>=1.1scikit-learn>=0.22.2",
        NAME_RUN_INTO_VERSION,
    ),
    known(
        "dgllife",
        Field::RequiresDist,
        "torch>=1scikit-learn>=0.21.2",
        NAME_RUN_INTO_VERSION,
    ),
    known(
        "dipy",
        Field::RequiresDist,
        "fury (>=0.6scikit-learn) ; extra == 'all'",
        NAME_RUN_INTO_VERSION,
    ),
    known(
        "dipy",
        Field::RequiresDist,
        "fury (>=0.6scikit-learn) ; extra == 'doc'",
        NAME_RUN_INTO_VERSION,
    ),
    known(
        "dipy",
        Field::RequiresDist,
        "fury (>=0.6scikit-learn); extra == 'all'",
        NAME_RUN_INTO_VERSION,
    ),
    known(
        "dipy",
        Field::RequiresDist,
        "fury (>=0.6scikit-learn); extra == 'doc'",
        NAME_RUN_INTO_VERSION,
    ),
    known(
        "dipy",
        Field::RequiresDist,
        "fury (>=0.8.0scikit-learn) ; extra == 'all'",
        NAME_RUN_INTO_VERSION,
    ),
    known(
        "dipy",
        Field::RequiresDist,
        "fury (>=0.8.0scikit-learn) ; extra == 'doc'",
        NAME_RUN_INTO_VERSION,
    ),
    known(
        "dipy",
        Field::RequiresDist,
        "fury (>=0.8.0scikit-learn); extra == 'all'",
        NAME_RUN_INTO_VERSION,
    ),
    known(
        "dipy",
        Field::RequiresDist,
        "fury (>=0.8.0scikit-learn); extra == 'doc'",
        NAME_RUN_INTO_VERSION,
    ),
    known(
        "dwave-qbsolv",
        Field::RequiresDist,
        "dimod (>=0.3.1<=0.4.0)",
        MISSING_COMMA,
    ),
    known(
        "dwavebinarycsp",
        Field::RequiresDist,
        "dimod (<0.7.0six>=1.11.0,<2.0.0,>=0.6.7)",
        NAME_RUN_INTO_VERSION,
    ),
    known(
        "fair-research-login",
        Field::RequiresDist,
        "globus-sdk (<3.0.0>=1.5.0)",
        MISSING_COMMA,
    ),
    known(
        "fair-research-login",
        Field::RequiresDist,
        "globus-sdk (<4.0.0>=1.5.0)",
        MISSING_COMMA,
    ),
    known(
        "fair-research-login",
        Field::RequiresDist,
        "globus-sdk (<4.0.0>=3)",
        MISSING_COMMA,
    ),
    known(
        "grad-cam",
        Field::RequiresDist,
        "opencv-python>=4.1torch>=1.4",
        NAME_RUN_INTO_VERSION,
    ),
    known(
        "grad-cam",
        Field::RequiresDist,
        "opencv-python>=4.5torch>=1.4",
        NAME_RUN_INTO_VERSION,
    ),
    known(
        "gstools",
        Field::RequiresDist,
        "numpy (>=numpy>=1.13.0)",
        NAME_AS_VERSION,
    ),
    known(
        "hdmf-zarr",
        Field::RequiresDist,
        "pynwb (>=2.0.0setuptools)",
        NAME_RUN_INTO_VERSION,
    ),
    known(
        "hummingbird-ml",
        Field::RequiresDist,
        "numpy (<=1.20.*,>=1.15)",
        WILDCARD_WITH_ORDERING,
    ),
    known(
        "hummingbird-ml",
        Field::RequiresDist,
        "torch (<=1.7.0,>=1.4.*)",
        WILDCARD_WITH_ORDERING,
    ),
    known(
        "hummingbird-ml",
        Field::RequiresDist,
        "torch (<=1.7.1,>=1.4.*)",
        WILDCARD_WITH_ORDERING,
    ),
    known(
        "hummingbird-ml",
        Field::RequiresDist,
        "torch (<=1.8.0,>=1.4.*)",
        WILDCARD_WITH_ORDERING,
    ),
    known(
        "hummingbird-ml",
        Field::RequiresDist,
        "torch (<=1.8.1,>=1.4.*)",
        WILDCARD_WITH_ORDERING,
    ),
    known(
        "hummingbird-ml",
        Field::RequiresDist,
        "torch (>=1.4.*)",
        WILDCARD_WITH_ORDERING,
    ),
    known(
        "investpy",
        Field::RequiresDist,
        "pandas>=0.25.0lxml>=4.4.1setuptools>=41.2.0requests>=2.22.0",
        NAME_RUN_INTO_VERSION,
    ),
    known(
        "ipyvtklink",
        Field::RequiresPython,
        ">=3.5.*",
        WILDCARD_WITH_ORDERING,
    ),
    known(
        "jax-triton",
        Field::RequiresPython,
        ">=3.7<3.10",
        MISSING_COMMA,
    ),
    known(
        "lightning-bolts",
        Field::RequiresDist,
        "torchvision (>=0.10.*) ; extra == 'dev'",
        WILDCARD_WITH_ORDERING,
    ),
    known(
        "lightning-bolts",
        Field::RequiresDist,
        "torchvision (>=0.10.*) ; extra == 'extra'",
        WILDCARD_WITH_ORDERING,
    ),
    known(
        "lightning-bolts",
        Field::RequiresDist,
        "torchvision (>=0.10.*) ; extra == 'models'",
        WILDCARD_WITH_ORDERING,
    ),
    known(
        "ltp",
        Field::RequiresPython,
        ">=3.6.*, <4",
        WILDCARD_WITH_ORDERING,
    ),
    known(
        "ltp-core",
        Field::RequiresPython,
        ">=3.6.*, <4",
        WILDCARD_WITH_ORDERING,
    ),
    known(
        "meeko",
        Field::RequiresPython,
        ">=3.5.*",
        WILDCARD_WITH_ORDERING,
    ),
    known(
        "mip",
        Field::RequiresDist,
        "gurobipy (>=8.*) ; extra == 'gurobi'",
        WILDCARD_WITH_ORDERING,
    ),
    known(
        "mlflow",
        Field::RequiresDist,
        "pandas-profiling (>=3.1.*) ; extra == 'pipelines'",
        WILDCARD_WITH_ORDERING,
    ),
    known(
        "mlflow-skinny",
        Field::RequiresDist,
        "pandas-profiling (>=3.1.*) ; extra == 'pipelines'",
        WILDCARD_WITH_ORDERING,
    ),
    known(
        "moderngl-window",
        Field::RequiresDist,
        "numpy (>=1.16<2)",
        MISSING_COMMA,
    ),
    known(
        "moderngl-window",
        Field::RequiresDist,
        "pyrr (>=0.10.3<1)",
        MISSING_COMMA,
    ),
    known(
        "moderngl-window",
        Field::RequiresDist,
        "trimesh (>=3.2.6<4) ; extra == 'trimesh'",
        MISSING_COMMA,
    ),
    known(
        "mosaicml-cli",
        Field::RequiresPython,
        ">=3.11,",
        TRAILING_COMMA,
    ),
    known(
        "mp-pyrho",
        Field::RequiresPython,
        ">=\"3.8\"",
        QUOTED_VERSION,
    ),
    known(
        "napalm-ros",
        Field::RequiresDist,
        "napalm>=3.*",
        WILDCARD_WITH_ORDERING,
    ),
    known(
        "napari-plugin-engine",
        Field::RequiresPython,
        ">=3.6.*",
        WILDCARD_WITH_ORDERING,
    ),
    known("nbdoc", Field::RequiresDist, "fastcore (>=)", EMPTY_VERSION),
    known(
        "nimbusml",
        Field::RequiresPython,
        ">3.5.*, <3.9.*",
        WILDCARD_WITH_ORDERING,
    ),
    known(
        "nimbusml",
        Field::RequiresPython,
        ">=2.7, !=3.0.*, !=3.1.*, !=3.2.*, !=3.3.*, !=3.4.*, <3.8.*",
        WILDCARD_WITH_ORDERING,
    ),
    known(
        "nr-parsing-date",
        Field::RequiresPython,
        ">=2.7,<3.0.0|>=3.4,<4.0.0",
        PIPE_FOR_OR,
    ),
    known(
        "penaltymodel",
        Field::RequiresDist,
        "dimod (>=0.5.0<0.6.0)",
        MISSING_COMMA,
    ),
    known(
        "penaltymodel",
        Field::RequiresDist,
        "networkx (>=2.0<3.0)",
        MISSING_COMMA,
    ),
    known(
        "penaltymodel",
        Field::RequiresDist,
        "penaltymodel-cache (>=0.1.0<0.2.0); extra == 'all'",
        MISSING_COMMA,
    ),
    known(
        "penaltymodel",
        Field::RequiresDist,
        "penaltymodel-maxgap (<0.2.0,<0.5.0penaltymodel_mip>=0.1.0,>=0.4.0); (platform_machine != \"x86\" and python_version != \"3.4\") and extra == 'all'",
        NAME_RUN_INTO_VERSION,
    ),
    known(
        "penaltymodel",
        Field::RequiresDist,
        "penaltymodel-maxgap (>=0.1.0<0.2.0); extra == 'all'",
        MISSING_COMMA,
    ),
    known(
        "penaltymodel-cache",
        Field::RequiresDist,
        "penaltymodel (>=0.12.0<0.13.0)",
        MISSING_COMMA,
    ),
    known(
        "penaltymodel-maxgap",
        Field::RequiresDist,
        "dwave-networkx (>=0.6.0<0.7.0)",
        MISSING_COMMA,
    ),
    known(
        "penaltymodel-maxgap",
        Field::RequiresDist,
        "penaltymodel (>=0.12.0<0.13.0)",
        MISSING_COMMA,
    ),
    known(
        "penaltymodel-mip",
        Field::RequiresDist,
        "networkx (<3.0ortools>=6.6.4659,<7.0.0,>=2.0)",
        NAME_RUN_INTO_VERSION,
    ),
    known(
        "pyacvd",
        Field::RequiresPython,
        ">=3.6.*",
        WILDCARD_WITH_ORDERING,
    ),
    known(
        "pythainlp",
        Field::RequiresDist,
        "nltk (>=3.3.*) ; extra == 'full'",
        WILDCARD_WITH_ORDERING,
    ),
    known(
        "pythainlp",
        Field::RequiresDist,
        "nltk (>=3.3.*) ; extra == 'wordnet'",
        WILDCARD_WITH_ORDERING,
    ),
    known(
        "pytorch-lightning",
        Field::RequiresDist,
        "torchtext (>=0.10.*) ; extra == 'all'",
        WILDCARD_WITH_ORDERING,
    ),
    known(
        "pytorch-lightning",
        Field::RequiresDist,
        "torchtext (>=0.10.*) ; extra == 'dev'",
        WILDCARD_WITH_ORDERING,
    ),
    known(
        "pytorch-lightning",
        Field::RequiresDist,
        "torchtext (>=0.10.*) ; extra == 'extra'",
        WILDCARD_WITH_ORDERING,
    ),
    known(
        "pytorch-lightning",
        Field::RequiresDist,
        "torchtext (>=0.8.*) ; extra == 'all'",
        WILDCARD_WITH_ORDERING,
    ),
    known(
        "pytorch-lightning",
        Field::RequiresDist,
        "torchtext (>=0.8.*) ; extra == 'cpu'",
        WILDCARD_WITH_ORDERING,
    ),
    known(
        "pytorch-lightning",
        Field::RequiresDist,
        "torchtext (>=0.8.*) ; extra == 'cpu-extra'",
        WILDCARD_WITH_ORDERING,
    ),
    known(
        "pytorch-lightning",
        Field::RequiresDist,
        "torchtext (>=0.8.*) ; extra == 'dev'",
        WILDCARD_WITH_ORDERING,
    ),
    known(
        "pytorch-lightning",
        Field::RequiresDist,
        "torchtext (>=0.8.*) ; extra == 'extra'",
        WILDCARD_WITH_ORDERING,
    ),
    known(
        "pytorch-lightning",
        Field::RequiresDist,
        "torchtext (>=0.9.*) ; extra == 'all'",
        WILDCARD_WITH_ORDERING,
    ),
    known(
        "pytorch-lightning",
        Field::RequiresDist,
        "torchtext (>=0.9.*) ; extra == 'cpu'",
        WILDCARD_WITH_ORDERING,
    ),
    known(
        "pytorch-lightning",
        Field::RequiresDist,
        "torchtext (>=0.9.*) ; extra == 'cpu-extra'",
        WILDCARD_WITH_ORDERING,
    ),
    known(
        "pytorch-lightning",
        Field::RequiresDist,
        "torchtext (>=0.9.*) ; extra == 'dev'",
        WILDCARD_WITH_ORDERING,
    ),
    known(
        "pytorch-lightning",
        Field::RequiresDist,
        "torchtext (>=0.9.*) ; extra == 'extra'",
        WILDCARD_WITH_ORDERING,
    ),
    known(
        "pyts",
        Field::RequiresDist,
        "numpy (>=1.13.3scipy>=0.13.3scikit-learn>=0.17.0future>=0.13.1)",
        NAME_RUN_INTO_VERSION,
    ),
    known(
        "pyts",
        Field::RequiresDist,
        "numpy (>=1.15.4scipy>=1.1.0scikit-learn>=0.20.1numba>=0.41.0)",
        NAME_RUN_INTO_VERSION,
    ),
    known(
        "pyts",
        Field::RequiresDist,
        "numpy (>=1.15.4scipy>=1.3.0scikit-learn>=0.20.1numba>=0.41.0)",
        NAME_RUN_INTO_VERSION,
    ),
    known(
        "pyts",
        Field::RequiresDist,
        "numpy (>=1.15.4scipy>=1.3.0scikit-learn>=0.20.4joblib>=0.12numba>=0.45.1)",
        NAME_RUN_INTO_VERSION,
    ),
    known(
        "pyts",
        Field::RequiresDist,
        "numpy (>=1.8.2scipy>=0.13.3scikit-learn>=0.17.0future>=0.13.1)",
        NAME_RUN_INTO_VERSION,
    ),
    known(
        "pyvistaqt",
        Field::RequiresPython,
        ">=3.5.*",
        WILDCARD_WITH_ORDERING,
    ),
    known(
        "pyvistaqt",
        Field::RequiresPython,
        ">=3.6.*",
        WILDCARD_WITH_ORDERING,
    ),
    known(
        "qiskit-nature",
        Field::RequiresDist,
        "qiskit-terra (>=0.22.*)",
        WILDCARD_WITH_ORDERING,
    ),
    known(
        "reaction-network",
        Field::RequiresPython,
        ">=\"3.8\"",
        QUOTED_VERSION,
    ),
    known(
        "sidpy",
        Field::RequiresDist,
        "distributed (>=2.0.0psutil)",
        NAME_RUN_INTO_VERSION,
    ),
    known(
        "simple-onnx-processing-tools",
        Field::RequiresDist,
        "onnx2tf (>=1.5.)",
        TRAILING_DOT,
    ),
    known(
        "sklearndf",
        Field::RequiresDist,
        "pytest >= 5.2.* ; extra == \"testing\"",
        WILDCARD_WITH_ORDERING,
    ),
    known(
        "skrl",
        Field::RequiresPython,
        ">=3.6.*",
        WILDCARD_WITH_ORDERING,
    ),
    known(
        "spacy-thai",
        Field::RequiresDist,
        "spacy (>=2.2.2<3)",
        MISSING_COMMA,
    ),
    known(
        "ssg",
        Field::RequiresDist,
        "fire (==0.1.3python-crfsuite==0.9.6tqdm==4.32.2)",
        NAME_RUN_INTO_VERSION,
    ),
    known(
        "styleframe",
        Field::RequiresDist,
        "pandas (<=0.22.*,>=0.16.2) ; python_version <= \"3.4\"",
        WILDCARD_WITH_ORDERING,
    ),
    known(
        "styleframe",
        Field::RequiresDist,
        "pandas (<=0.22.*,>=0.16.2); python_version <= \"3.4\"",
        WILDCARD_WITH_ORDERING,
    ),
    known(
        "styleframe",
        Field::RequiresDist,
        "pandas (<=0.23.*,>=0.16.2)",
        WILDCARD_WITH_ORDERING,
    ),
    known(
        "sunpy",
        Field::RequiresDist,
        "parfive[ftp] (>=1.0.2<1.1.0) ; python_version <= \"3.6\"",
        MISSING_COMMA,
    ),
    known(
        "tensorflow-model-analysis",
        Field::RequiresDist,
        "tensorflow (!=2.0.*,!=2.1.*,!=2.2.*!=2.3.*,!=2.4.*,<3,>=1.15.2)",
        MISSING_COMMA,
    ),
    known(
        "tensorflow-model-analysis",
        Field::RequiresDist,
        "tensorflow (!=2.0.*,!=2.1.*,!=2.2.*!=2.3.*,<3,>=1.15.2)",
        MISSING_COMMA,
    ),
    known(
        "torchsde",
        Field::RequiresDist,
        "numpy (>=1.19.*) ; python_version >= \"3.7\"",
        WILDCARD_WITH_ORDERING,
    ),
    known(
        "trx-python",
        Field::RequiresDist,
        "nibabel (>=3.*)",
        WILDCARD_WITH_ORDERING,
    ),
    known(
        "trx-python",
        Field::RequiresDist,
        "pytest (>=7.*) ; extra == 'all'",
        WILDCARD_WITH_ORDERING,
    ),
    known(
        "trx-python",
        Field::RequiresDist,
        "pytest (>=7.*) ; extra == 'test'",
        WILDCARD_WITH_ORDERING,
    ),
    known(
        "unyt",
        Field::RequiresDist,
        "numpy (>=\"1.13.0\")",
        QUOTED_VERSION,
    ),
];

const WILDCARD_WITH_ORDERING: &str = "`.*` after an ordered comparison (`>=`, `<=`, `<`, `>`): PEP 440 allows a \
    wildcard only with `==` and `!=`; old setuptools accepted it as a legacy specifier";
const EMPTY_VERSION: &str = "an operator without a version (`>=`)";
const QUOTED_VERSION: &str = "a version in quotes (`>=\"3.8\"`)";
const NAME_AS_VERSION: &str =
    "the package's name where its version goes (`numpy (>=numpy>=1.13.0)`)";
const PIPE_FOR_OR: &str = "`|` for \"or\" between two sets of clauses, which PEP 440 does not have";
const TRAILING_DOT: &str = "a version that ends with its separator (`>=3.`)";
const CUT_SHORT: &str = "a pre-release suffix cut short (`<2.0de`, where `2.0dev` was meant)";
const NAME_RUN_INTO_VERSION: &str = "the next requirement's name run into the version (`<0.2.0appnope`: a missing \
    newline before `appnope` in the project's requirement list)";
const DOUBLED_OPERATOR: &str = "an operator with its `=` typed twice (`>==0.15.3`)";
const TRAILING_COMMA: &str = "a trailing comma after the last clause of `Requires-Python`";
const MISSING_COMMA: &str = "two clauses without the comma between them (`>=1.0<2.0`)";
const TWO_MARKERS: &str = "two `;`-separated markers, written by old setuptools for an extra with a condition; \
    PEP 508 joins markers with `and`";
const INLINE_COMMENT: &str = "a `# comment` copied from a requirements file into the metadata";
const MERGED_REQUIREMENTS: &str = "two requirements run together (a missing comma in the project's setup.py \
    joined `msgpack-numpy<0.4.4.0` and `murmurhash>=0.28`)";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Version,
    RequiresPython,
    RequiresDist,
}

impl std::fmt::Display for Field {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Field::Version => "version",
            Field::RequiresPython => "Requires-Python",
            Field::RequiresDist => "Requires-Dist",
        })
    }
}

struct Known {
    package: &'static str,
    field: Field,
    raw: &'static str,
    #[allow(dead_code, reason = "documentation for the reader of the list")]
    why: &'static str,
}

const fn known(package: &'static str, field: Field, raw: &'static str, why: &'static str) -> Known {
    Known {
        package,
        field,
        raw,
        why,
    }
}

/// A data directory as the build reads it: `snapshot.json` and `packages/*.json`.
struct Data {
    snapshot: Option<Snapshot>,
    /// File stem and contents, sorted by file name.
    files: Vec<(String, PackageFile)>,
    /// Files that could not be read or parsed.
    unreadable: Vec<String>,
    index: OnceLock<Index>,
}

impl Data {
    fn load(dir: &Path) -> Data {
        let mut unreadable = Vec::new();
        let mut read = |path: &Path| match std::fs::read_to_string(path) {
            Ok(text) => Some(text),
            Err(error) => {
                unreadable.push(format!("{}: {error}", path.display()));
                None
            }
        };
        let snapshot_path = dir.join("snapshot.json");
        let snapshot_text = snapshot_path
            .exists()
            .then(|| read(&snapshot_path))
            .flatten();
        let mut paths: Vec<PathBuf> = std::fs::read_dir(dir.join("packages"))
            .map(|entries| entries.map(|entry| entry.unwrap().path()).collect())
            .unwrap_or_default();
        paths.sort();
        let texts: Vec<_> = paths.iter().map(|path| (path, read(path))).collect();

        let snapshot = snapshot_text.and_then(|text| match serde_json::from_str(&text) {
            Ok(snapshot) => Some(snapshot),
            Err(error) => {
                unreadable.push(format!("snapshot.json: {error}"));
                None
            }
        });
        let mut files = Vec::new();
        for (path, text) in texts {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            let Some(stem) = name.strip_suffix(".json") else {
                unreadable.push(format!("packages/{name}: not a `.json` file"));
                continue;
            };
            // The file reads back whole, and is the stored form the sync would write of what it holds.
            match text.map(|text| {
                let stored = serde_json::from_str::<StoredPackageFile>(&text)
                    .map_err(|error| error.to_string())?;
                let package = stored.clone().expand()?;
                if package.stored() == stored {
                    Ok(package)
                } else {
                    Err(
                        "not in the canonical stored form (`cargo xtask index format` writes it)"
                            .to_owned(),
                    )
                }
            }) {
                Some(Ok(package)) => files.push((stem.to_owned(), package)),
                Some(Err(error)) => unreadable.push(format!("packages/{name}: {error}")),
                None => {}
            }
        }
        Data {
            snapshot,
            files,
            unreadable,
            index: OnceLock::new(),
        }
    }

    fn packages(&self) -> Vec<PackageFile> {
        self.files
            .iter()
            .map(|(_, package)| package.clone())
            .collect()
    }

    fn snapshot_or_empty(&self) -> Snapshot {
        self.snapshot.clone().unwrap_or_else(|| Snapshot {
            newest_upload: String::new(),
            packages: Vec::new(),
            added_by_closure: BTreeMap::new(),
        })
    }

    /// The typed index of these files, built once (`Index::from_source` leaks its encoding).
    fn index(&self) -> &Index {
        self.index.get_or_init(|| {
            let mut packages = self.packages();
            // Names the build would leave out are reported by `files`; leave them out here too.
            packages.retain(|package| compact::is_normalized_name(&package.name));
            Index::from_source(&self.snapshot_or_empty(), &packages).unwrap()
        })
    }
}

/// The checked-in data, read once for all the tests of this file.
fn real_data() -> &'static Data {
    static DATA: LazyLock<Data> = LazyLock::new(|| Data::load(&data_dir()));
    &DATA
}

fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("data")
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/integrity")
        .join(name)
}

// The checks.

/// Every file parses; every file is named after its package; every name is normalized and unique.
fn files(data: &Data) -> Vec<String> {
    let mut problems = data.unreadable.clone();
    for (stem, package) in &data.files {
        if *stem != package.name {
            problems.push(format!(
                "packages/{stem}.json: holds `{}`, not `{stem}`",
                package.name
            ));
        }
        if !compact::is_normalized_name(&package.name) {
            problems.push(format!(
                "packages/{stem}.json: `{}` is not a normalized package name",
                package.name
            ));
        }
    }
    problems
}

/// `snapshot.json` lists exactly the package files, sorted; closure entries name indexed packages; the newest
/// upload is no older than any release.
fn snapshot(data: &Data) -> Vec<String> {
    let mut problems = Vec::new();
    let Some(snapshot) = &data.snapshot else {
        if !data.files.is_empty() {
            problems.push("snapshot.json is missing, but there are package files".to_owned());
        }
        return problems;
    };
    if !snapshot.packages.is_sorted_by(|a, b| a < b) {
        problems.push("snapshot.json: `packages` is not sorted and unique".to_owned());
    }
    let listed: BTreeSet<&str> = snapshot.packages.iter().map(String::as_str).collect();
    let files: BTreeSet<&str> = data.files.iter().map(|(_, p)| p.name.as_str()).collect();
    for name in listed.difference(&files) {
        problems.push(format!(
            "snapshot.json lists `{name}`, which has no package file"
        ));
    }
    for name in files.difference(&listed) {
        problems.push(format!(
            "package `{name}` has a file but is not listed in snapshot.json"
        ));
    }
    for (name, by) in &snapshot.added_by_closure {
        if !listed.contains(name.as_str()) || !listed.contains(by.as_str()) {
            problems.push(format!(
                "snapshot.json: closure entry `{name}` (added by `{by}`) names an unindexed package"
            ));
        }
    }
    let newest_release = data
        .files
        .iter()
        .flat_map(|(_, package)| package.releases.iter().map(|r| r.uploaded.as_str()))
        .max();
    if let Some(newest_release) = newest_release
        && newest_release > snapshot.newest_upload.as_str()
    {
        problems.push(format!(
            "snapshot.json: `newest_upload` {} is older than a release uploaded {newest_release}",
            snapshot.newest_upload
        ));
    }
    problems
}

/// Versions parse, are sorted strictly ascending (so there are no duplicates), and the `prerelease` flag agrees
/// with PEP 440; upload times have the RFC 3339 shape the format promises.
fn releases(data: &Data) -> Vec<String> {
    let mut problems = Vec::new();
    for (_, package) in &data.files {
        let mut previous: Option<(Version, &str)> = None;
        for release in &package.releases {
            let at = format!("{} {}", package.name, release.version);
            if !is_rfc3339_utc_seconds(&release.uploaded) {
                problems.push(format!(
                    "{at}: upload time `{}` is not `YYYY-MM-DDTHH:MM:SSZ`",
                    release.uploaded
                ));
            }
            let Ok(version) = Version::from_str(&release.version) else {
                // Reported, with the allow-list, by `unparseable_strings`.
                continue;
            };
            if version.any_prerelease() != release.prerelease {
                problems.push(format!(
                    "{at}: `prerelease` is {}, PEP 440 says {}",
                    release.prerelease,
                    version.any_prerelease()
                ));
            }
            if let Some((previous, raw)) = &previous
                && *previous >= version
            {
                problems.push(format!(
                    "{}: `{}` follows `{raw}`: releases are not sorted strictly ascending",
                    package.name, release.version
                ));
            }
            previous = Some((version, &release.version));
        }
    }
    problems
}

fn is_rfc3339_utc_seconds(s: &str) -> bool {
    let shape = "dddd-dd-ddTdd:dd:ddZ";
    s.len() == shape.len()
        && s.bytes()
            .zip(shape.bytes())
            .all(|(c, expected)| match expected {
                b'd' => c.is_ascii_digit(),
                _ => c == expected,
            })
}

/// Wheel tags are well-formed, sorted and unique; `applies_to` values are tracked platforms, `any` or `sdist`,
/// sorted and unique; no platform is claimed by two metadata variants of a release.
fn platforms_and_tags(data: &Data) -> Vec<String> {
    let mut problems = Vec::new();
    let index = data.index();
    for package in index.packages() {
        for release in package.releases() {
            let at = format!("{} {}", package.name(), release.raw_version());
            for (platform, tags) in release.wheels() {
                for tag in tags {
                    if let WheelPython::Unrecognized(tag) = tag {
                        problems.push(format!(
                            "{at}: {platform} wheel tag `{tag}` is not `cpXY`, `cpXY-abi3` or `py3`"
                        ));
                    }
                }
                if !tags.is_sorted_by(|a, b| a < b) {
                    let tags: Vec<_> = tags.iter().map(ToString::to_string).collect();
                    problems.push(format!(
                        "{at}: {platform} wheel tags {tags:?} are not sorted and unique"
                    ));
                }
            }
            let mut claimed = BTreeSet::new();
            for variant in release.metadata() {
                for applies_to in variant.applies_to() {
                    if let AppliesTo::Unrecognized(value) = applies_to {
                        problems.push(format!(
                            "{at}: `applies_to` value `{value}` of {} is not a tracked platform, `any` or `sdist`",
                            variant.file()
                        ));
                    }
                    if !claimed.insert(applies_to.to_string()) {
                        problems.push(format!(
                            "{at}: two metadata variants apply to `{applies_to}`"
                        ));
                    }
                }
                let names: Vec<String> = variant
                    .applies_to()
                    .iter()
                    .map(ToString::to_string)
                    .collect();
                if !names.is_sorted_by(|a, b| a < b) {
                    problems.push(format!(
                        "{at}: `applies_to` {names:?} of {} is not sorted",
                        variant.file()
                    ));
                }
            }
        }
    }
    problems
}

/// Every version, `Requires-Python` and `Requires-Dist` string parses.
fn unparseable_strings(data: &Data) -> Vec<String> {
    unparseable_strings_except(data, &[])
}

/// Every version, `Requires-Python` and `Requires-Dist` string parses, except those in `known` (and every entry
/// there still occurs).
fn unparseable_strings_except(data: &Data, known: &[Known]) -> Vec<String> {
    let index = data.index();
    // (package, release, field, raw, error)
    let mut found: Vec<(String, &str, Field, &str, &str)> = Vec::new();
    for package in index.packages() {
        let name = package.name().to_string();
        for version in package.unparseable_versions() {
            let error = version.error().unwrap_or_default();
            found.push((
                name.clone(),
                version.raw(),
                Field::Version,
                version.raw(),
                error,
            ));
        }
        for release in package.releases() {
            for variant in release.metadata() {
                let strings = variant
                    .requires_python()
                    .into_iter()
                    .filter_map(|parsed| {
                        Some((Field::RequiresPython, parsed.raw(), parsed.error()?))
                    })
                    .chain(variant.requires_dist().iter().filter_map(|parsed| {
                        Some((Field::RequiresDist, parsed.raw(), parsed.error()?))
                    }));
                for (field, raw, error) in strings {
                    found.push((name.clone(), release.raw_version(), field, raw, error));
                }
            }
        }
    }
    let mut problems = Vec::new();
    for (package, version, field, raw, error) in &found {
        if !known
            .iter()
            .any(|k| k.package == package && k.field == *field && k.raw == *raw)
        {
            problems.push(format!(
                "{package} {version}: {field} `{raw}` does not parse: {error}"
            ));
        }
    }
    for k in known {
        if !found.iter().any(|(package, _, field, raw, _)| {
            package == k.package && *field == k.field && *raw == k.raw
        }) {
            problems.push(format!(
                "KNOWN_UNPARSEABLE: {} `{}` of `{}` no longer occurs; remove the entry",
                k.field, k.raw, k.package
            ));
        }
    }
    problems
}

/// Every `Requires-Dist` entry names an indexed package (the sync records only those).
fn requirements_resolve(data: &Data) -> Vec<String> {
    let mut problems = Vec::new();
    let index = data.index();
    for package in index.packages() {
        for release in package.releases() {
            for variant in release.metadata() {
                for parsed in variant.requires_dist() {
                    let Some(requirement) = parsed.value() else {
                        continue;
                    };
                    if index.package(&requirement.name).is_none() {
                        problems.push(format!(
                            "{} {} ({}): `{}` names `{}`, which is not indexed",
                            package.name(),
                            release.raw_version(),
                            variant.file(),
                            parsed.raw(),
                            requirement.name
                        ));
                    }
                }
            }
        }
    }
    problems
}

/// A check: the problems it finds in a data directory.
type Check = fn(&Data) -> Vec<String>;

const CHECKS: &[(&str, Check)] = &[
    ("files", files),
    ("snapshot", snapshot),
    ("releases", releases),
    ("platforms_and_tags", platforms_and_tags),
    ("unparseable_strings", unparseable_strings),
    ("requirements_resolve", requirements_resolve),
];

fn run(check: Check, data: &Data) -> Result<(), String> {
    let problems = check(data);
    if problems.is_empty() {
        return Ok(());
    }
    let mut message = format!("{} problems:\n", problems.len());
    for problem in problems {
        writeln!(message, "  {problem}").unwrap();
    }
    Err(message)
}

fn check_real_data(check: Check) {
    if let Err(message) = run(check, real_data()) {
        panic!("the checked-in index ({}): {message}", data_dir().display());
    }
}

// The checked-in index.

#[test]
fn checked_in_files() {
    check_real_data(files);
}

#[test]
fn checked_in_snapshot() {
    check_real_data(snapshot);
}

#[test]
fn checked_in_releases() {
    check_real_data(releases);
}

#[test]
fn checked_in_platforms_and_tags() {
    check_real_data(platforms_and_tags);
}

#[test]
fn checked_in_strings_parse() {
    check_real_data(|data| unparseable_strings_except(data, KNOWN_UNPARSEABLE));
}

/// An allow-list entry that matches nothing is reported, so the list shrinks with the data.
#[test]
fn stale_allow_list_entries_are_reported() {
    let data = Data::load(&fixture("good"));
    let stale = [known(
        "example-a",
        Field::RequiresDist,
        "example-b (>=1<2)",
        MISSING_COMMA,
    )];
    assert_eq!(
        unparseable_strings_except(&data, &stale),
        [
            "KNOWN_UNPARSEABLE: Requires-Dist `example-b (>=1<2)` of `example-a` no longer occurs; remove the entry"
        ]
    );
}

#[test]
fn checked_in_requirements_resolve() {
    check_real_data(requirements_resolve);
}

/// The embedded form is exactly what the source files say (the build left nothing out), and decodes into the
/// typed index without error.
#[test]
fn embedded_form_round_trips_to_the_source_form() {
    let data = real_data();
    let (snapshot, packages) = nplint_index::embedded_source().unwrap();
    assert_eq!(snapshot, data.snapshot_or_empty(), "embedded snapshot");
    let mut expected = data.packages();
    expected.sort_by(|a, b| a.name.cmp(&b.name));
    let names =
        |packages: &[PackageFile]| packages.iter().map(|p| p.name.clone()).collect::<Vec<_>>();
    assert_eq!(names(&packages), names(&expected), "embedded packages");
    for (embedded, source) in packages.iter().zip(&expected) {
        assert!(
            embedded == source,
            "`{}` differs between the embedded and the source form",
            source.name
        );
    }

    let index = Index::decode_embedded().unwrap();
    assert_eq!(index.packages().len(), data.files.len());
    for package in index.packages() {
        package.decode();
        assert_eq!(
            package.releases().len() + package.unparseable_versions().len(),
            expected
                .iter()
                .find(|p| p.name == package.name().as_ref())
                .unwrap()
                .releases
                .len()
        );
    }
}

/// Before the first sync the data directory holds no index files, and the embedded index is empty; once it holds
/// any, it must hold a snapshot too (checked by `checked_in_snapshot`).
#[test]
fn empty_data_means_an_empty_index() {
    let data = real_data();
    let index = Index::embedded();
    assert_eq!(index.is_empty(), data.files.is_empty());
    if data.snapshot.is_none() {
        assert_eq!(index.snapshot().newest_upload(), "");
        assert_eq!(index.snapshot().package_count(), 0);
    }
}

// The checks themselves, on fixtures.

#[test]
fn checks_pass_on_a_good_fixture() {
    let data = Data::load(&fixture("good"));
    assert_eq!(data.files.len(), 2, "the fixture loaded");
    for (name, check) in CHECKS {
        if let Err(message) = run(*check, &data) {
            panic!("{name}: {message}");
        }
    }
}

#[test]
fn checks_find_every_planted_problem() {
    let data = Data::load(&fixture("broken"));
    let mut found = String::new();
    for (name, check) in CHECKS {
        for problem in check(&data) {
            // Paths differ between machines; keep the part inside the fixture.
            let problem = problem.replace(&fixture("broken").display().to_string(), "<fixture>");
            writeln!(found, "{name}: {problem}").unwrap();
        }
    }
    let expected = "\
files: packages/example-c.json: holds `Example_C`, not `example-c`
files: packages/example-c.json: `Example_C` is not a normalized package name
snapshot: snapshot.json lists `example-d`, which has no package file
snapshot: package `Example_C` has a file but is not listed in snapshot.json
snapshot: snapshot.json: `newest_upload` 2021-01-01T00:00:00Z is older than a release uploaded 2021-06-01T00:00:00Z
releases: example-a 1.0: upload time `2020-01-01` is not `YYYY-MM-DDTHH:MM:SSZ`
releases: example-a 1.1b1: `prerelease` is false, PEP 440 says true
releases: example-a: `1.0.0` follows `1.1b1`: releases are not sorted strictly ascending
releases: example-a: `1.0.0` follows `1.0.0`: releases are not sorted strictly ascending
platforms_and_tags: example-a 1.1b1: linux-x86_64 wheel tag `cp27mu` is not `cpXY`, `cpXY-abi3` or `py3`
platforms_and_tags: example-a 1.1b1: linux-x86_64 wheel tags [\"cp39\", \"cp38\", \"cp27mu\"] are not sorted and unique
platforms_and_tags: example-a 1.1b1: two metadata variants apply to `linux-x86_64`
platforms_and_tags: example-a 1.1b1: `applies_to` value `solaris` of example_a-1.1b1.tar.gz is not a tracked platform, `any` or `sdist`
platforms_and_tags: example-a 1.1b1: `applies_to` [\"sdist\", \"linux-x86_64\", \"solaris\"] of example_a-1.1b1.tar.gz is not sorted
unparseable_strings: example-a not-a-version: version `not-a-version` does not parse: expected version to start with a number, but no leading ASCII digits were found
unparseable_strings: example-a 1.0: Requires-Python `>=3.6.*` does not parse: Failed to parse version: Operator >= cannot be used with a wildcard version specifier
unparseable_strings: example-a 1.0: Requires-Dist `example-b (>=1.0 <2)` does not parse: Trailing `<2` is not allowed
requirements_resolve: example-a 1.1b1 (example_a-1.1b1-cp38-cp38-manylinux2014_x86_64.whl): `example-z>=1` names `example-z`, which is not indexed
";
    assert_eq!(found, expected);
}
