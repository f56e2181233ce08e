// The string and number formats the API server enforces (apiextensions validation/formats.go), as ajv formats.
// Plain CommonJS because compiled validators cached on disk require this file at run time by its path.
'use strict';
const { fullFormats } = require('ajv-formats/dist/formats');

exports.formats = {
  date: fullFormats.date,
  'date-time': fullFormats['date-time'],
  email: fullFormats.email,
  hostname: fullFormats.hostname,
  ipv4: fullFormats.ipv4,
  ipv6: fullFormats.ipv6,
  uri: fullFormats.uri,
  uuid: fullFormats.uuid,
  byte: fullFormats.byte,
  int32: { type: 'number', validate: (n) => Number.isInteger(n) && n >= -(2 ** 31) && n < 2 ** 31 },
  int64: { type: 'number', validate: (n) => Number.isSafeInteger(n) },
  float: { type: 'number', validate: (n) => Math.abs(n) <= 3.4028234663852886e38 },
  double: { type: 'number', validate: () => true },
  // Go's time.ParseDuration syntax, which the server's `duration` format accepts
  duration: /^[-+]?((\d+(\.\d*)?|\.\d+)(ns|us|\u00b5s|ms|s|m|h))+$|^0$/,
};
