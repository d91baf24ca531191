// The suite runs against Express 4 and Express 5.
import express5 from 'express';
import express4 from 'express4';

export type ExpressFactory = typeof express5;

/** [label, express] pairs for describe.each. */
export const EXPRESS_VERSIONS: [string, ExpressFactory][] = [
  ['express 4', express4 as unknown as ExpressFactory],
  ['express 5', express5],
];
