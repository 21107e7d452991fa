/**
 * The config deriva-upload-cli falls back on when the catalog publishes none: deriva-py's `DefaultConfig`
 * (informatics-isi-edu/deriva-py, `deriva/transfer/upload/deriva_upload.py`, Apache License 2.0), which loads
 * table rows from `records/<schema>/<table>.csv` or `.json` outside any `assets/` folder.
 */
export const DERIVA_DEFAULT_CONFIG = JSON.stringify({
  asset_mappings: [
    {
      asset_type: 'table',
      default_columns: ['RID', 'RCB', 'RMB', 'RCT', 'RMT'],
      file_pattern: '^((?!/assets/).)*/records/(?P<schema>.+?)/(?P<table>.+?)[.]',
      ext_pattern: '^.*[.](?P<file_ext>json|csv)$',
    },
  ],
});

export const DERIVA_DEFAULT_CONFIG_NAME = "deriva-py's default config";
