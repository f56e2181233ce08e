import type { Format } from 'ajv';

export declare const formats: Readonly<Record<string, Format>>;
