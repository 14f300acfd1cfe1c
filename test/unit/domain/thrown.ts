import { expect } from 'vitest';
import { JumpgateError } from '../../../src/domain/errors.js';

/** Runs `action`, asserts it threw a JumpgateError, and returns it for closer assertions. */
export function thrown(action: () => unknown): JumpgateError {
  let caught: unknown;
  try {
    action();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(JumpgateError);
  return caught as JumpgateError;
}
