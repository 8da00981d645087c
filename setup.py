"""Packaging for ttsbook. Everything is read from settings.ini, which nbdev also reads."""
from configparser import ConfigParser
from pathlib import Path
import shlex
import setuptools

cfg = ConfigParser(delimiters=['='])
cfg.read(Path(__file__).parent/'settings.ini', encoding='utf-8')
cfg = cfg['DEFAULT']

licenses = {'apache2': ('Apache Software License 2.0', 'OSI Approved :: Apache Software License')}
statuses = ['Planning', 'Pre-Alpha', 'Alpha', 'Beta', 'Production/Stable', 'Mature', 'Inactive']
lic = licenses[cfg['license']]
min_python = cfg['min_python']
py_versions = ['3.10', '3.11', '3.12', '3.13']

def reqs(key): return shlex.split(cfg.get(key, ''))

extras = {k: reqs(f'{k}_requirements') for k in ('eval', 'book', 'bert', 'onnx')}   # pip install "ttsbook[eval]"...
readme = Path(__file__).parent/'README.md'
setuptools.setup(
    name=cfg['lib_name'],
    version=cfg['version'],
    description=cfg['description'],
    long_description=readme.read_text(encoding='utf-8') if readme.exists() else cfg['description'],
    long_description_content_type='text/markdown',
    author=cfg['author'], author_email=cfg['author_email'],
    url=cfg['git_url'],
    license=lic[0],
    keywords=cfg['keywords'],
    classifiers=[f"Development Status :: {cfg['status']} - {statuses[int(cfg['status'])]}",
                 f"Intended Audience :: {cfg['audience']}",
                 f"License :: {lic[1]}",
                 f"Natural Language :: {cfg['language']}"]
                + [f'Programming Language :: Python :: {v}' for v in py_versions[py_versions.index(min_python):]],
    packages=setuptools.find_packages(include=[cfg['lib_path'], cfg['lib_path'] + '.*']),
    include_package_data=True,
    install_requires=reqs('requirements'),
    extras_require={**extras, 'all': sorted({r for v in extras.values() for r in v}),
                    'dev': sorted({r for v in extras.values() for r in v} | set(reqs('dev_requirements')))},
    python_requires='>=' + min_python,
    zip_safe=False,
    entry_points={'console_scripts': reqs('console_scripts'),
                  'nbdev': [f"{cfg['lib_path']}={cfg['lib_path']}._modidx:d"]},
)
