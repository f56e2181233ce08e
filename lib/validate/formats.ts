import { fullFormats } from 'ajv-formats/dist/formats';

/**
 * The string and number formats the API server enforces (apiextensions validation/formats.go), as ajv formats.
 * A module of its own because compiled validators cached on disk load it at run time.
 */
export const formats = {
  date: fullFormats.date,
  'date-time': fullFormats['date-time'],
  email: fullFormats.email,
  hostname: fullFormats.hostname,
  ipv4: fullFormats.ipv4,
  ipv6: fullFormats.ipv6,
  uri: fullFormats.uri,
  uuid: fullFormats.uuid,
  byte: fullFormats.byte,
  int32: { type: 'number', validate: (n: number) => Number.isInteger(n) && n >= -(2 ** 31) && n < 2 ** 31 },
  int64: { type: 'number', validate: (n: number) => Number.isSafeInteger(n) },
  float: { type: 'number', validate: (n: number) => Math.abs(n) <= 3.4028234663852886e38 },
  double: { type: 'number', validate: () => true },
  // Go's time.ParseDuration syntax, which the server's `duration` format accepts
  duration: /^[-+]?((\d+(\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h))+$|^0$/,
} as const;
