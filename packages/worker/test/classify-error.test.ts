import { errors } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { FleetError } from '@fleetwright/shared';
import { classifyError } from '../dist/runner/classify-error.js';

// Messages as Playwright 1.65 words them (captured from real runs against Chromium 156).
const LOCATOR_TIMEOUT = "locator.click: Timeout 500ms exceeded.\nCall log:\n  - waiting for locator('#send')\n";
const SELECTOR_TIMEOUT = "page.waitForSelector: Timeout 500ms exceeded.\nCall log:\n  - waiting for locator('#nope') to be visible\n";
const GET_BY_ROLE_TIMEOUT = "locator.click: Timeout 500ms exceeded.\nCall log:\n  - waiting for getByRole('button', { name: 'Send' })\n";
const NAVIGATION_TIMEOUT = 'page.goto: Timeout 30000ms exceeded.\nCall log:\n  - navigating to "http://127.0.0.1:9/", waiting until "load"\n';

function timeoutError(message: string): Error {
  return new errors.TimeoutError(message);
}

const idle = (): AbortSignal => new AbortController().signal;

function aborted(reason: unknown): AbortSignal {
  const controller = new AbortController();
  controller.abort(reason);
  return controller.signal;
}

describe('classifyError', () => {
  it('prefers the FleetError the signal was aborted with over what the handler threw', () => {
    const reason = new FleetError('TIMEOUT', 'job ran past its deadline of 1500 ms');
    const thrown = new Error('page.waitForSelector: Target page, context or browser has been closed');

    expect(classifyError(thrown, aborted(reason))).toBe(reason);
    expect(classifyError(thrown, aborted(new FleetError('JOB_CANCELLED', 'stop')))).toMatchObject({ code: 'JOB_CANCELLED', retryable: false });
  });

  it('classifies what was thrown when the signal was aborted with something other than a FleetError', () => {
    expect(classifyError(new Error('net::ERR_CONNECTION_RESET at http://x/'), aborted(new Error('plain')))).toMatchObject({ code: 'NETWORK_ERROR' });
  });

  it('returns a FleetError thrown by the handler as it is', () => {
    const thrown = new FleetError('AUTH_FAILED', 'the sandbox refused the credentials of alice');

    expect(classifyError(thrown, idle())).toBe(thrown);
  });

  it.each([
    'page.goto: Target page, context or browser has been closed',
    'browserContext.newPage: Browser has been closed',
    'page.click: Target closed',
    'Browser has disconnected',
  ])('maps a closed browser (%s) to a retryable BROWSER_CRASHED', (message) => {
    expect(classifyError(new Error(message), idle())).toMatchObject({ code: 'BROWSER_CRASHED', retryable: true });
  });

  it('maps a crashed page ("Target crashed") to a retryable BROWSER_CRASHED', () => {
    expect(classifyError(new Error('page.evaluate: Target crashed '), idle())).toMatchObject({ code: 'BROWSER_CRASHED', retryable: true });
  });

  it.each([
    'page.goto: net::ERR_CONNECTION_REFUSED at http://127.0.0.1:40000/',
    'page.goto: net::ERR_NAME_NOT_RESOLVED at https://nowhere.invalid/',
    'connect ECONNREFUSED 127.0.0.1:6379',
    'read ECONNRESET',
    'getaddrinfo ENOTFOUND nowhere.invalid',
  ])('maps an unreachable platform (%s) to a retryable NETWORK_ERROR', (message) => {
    expect(classifyError(new Error(message), idle())).toMatchObject({ code: 'NETWORK_ERROR', retryable: true, errorClass: 'network' });
  });

  it('keeps only the first line of the message and the original error as the cause', () => {
    const thrown = new Error('page.goto: net::ERR_CONNECTION_REFUSED at http://127.0.0.1:40000/\nCall log:\n  - navigating');

    const classified = classifyError(thrown, idle());

    expect(classified.message).toBe('page.goto: net::ERR_CONNECTION_REFUSED at http://127.0.0.1:40000/');
    expect(classified.cause).toBe(thrown);
  });

  it('maps a TimeoutError waiting for a locator or selector to a retryable SELECTOR_NOT_FOUND', () => {
    expect(classifyError(timeoutError(LOCATOR_TIMEOUT), idle())).toMatchObject({
      code: 'SELECTOR_NOT_FOUND',
      retryable: true,
      errorClass: 'selector',
      message: 'locator.click: Timeout 500ms exceeded.',
    });
    expect(classifyError(timeoutError(SELECTOR_TIMEOUT), idle())).toMatchObject({ code: 'SELECTOR_NOT_FOUND' });
  });

  it('maps a TimeoutError waiting for a getByRole() locator to SELECTOR_NOT_FOUND', () => {
    expect(classifyError(timeoutError(GET_BY_ROLE_TIMEOUT), idle())).toMatchObject({ code: 'SELECTOR_NOT_FOUND' });
  });

  it('maps any other TimeoutError (navigation, waitForFunction) to TIMEOUT', () => {
    expect(classifyError(timeoutError(NAVIGATION_TIMEOUT), idle())).toMatchObject({ code: 'TIMEOUT', errorClass: 'timeout', retryable: true });
    expect(classifyError(timeoutError('page.waitForFunction: Timeout 500ms exceeded.'), idle())).toMatchObject({ code: 'TIMEOUT' });
  });

  it('does not treat an ordinary error that mentions a locator as a selector miss', () => {
    expect(classifyError(new Error("waiting for locator('#x') failed: element is detached"), idle())).toMatchObject({ code: 'INTERNAL_ERROR' });
  });

  it('maps anything else to a non-retryable INTERNAL_ERROR, whatever was thrown', () => {
    expect(classifyError(new TypeError("Cannot read properties of undefined (reading 'id')"), idle())).toMatchObject({
      code: 'INTERNAL_ERROR',
      retryable: false,
      message: "Cannot read properties of undefined (reading 'id')",
    });
    expect(classifyError('a bare string', idle())).toMatchObject({ code: 'INTERNAL_ERROR', message: 'a bare string' });
    expect(classifyError(undefined, idle())).toMatchObject({ code: 'INTERNAL_ERROR', message: 'undefined' });
  });

  it('caps a long message at 500 characters', () => {
    expect(classifyError(new Error('x'.repeat(2000)), idle()).message).toHaveLength(500);
  });
});
