/** Epoch milliseconds. Use cases never read the wall clock themselves, so tests control time. */
export type Clock = () => number;
