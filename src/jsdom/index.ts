/**
 * `jest-taskdump/jsdom`: jest-environment-jsdom with task dumps.
 *
 * ```js
 * // jest.config.js
 * module.exports = {
 *   preset: 'jest-taskdump',
 *   testEnvironment: 'jest-taskdump/jsdom',
 * };
 * ```
 *
 * jest-environment-jsdom is an optional peer dependency: install the one that
 * matches your Jest.
 */
import type {TestEnvironment as JsdomEnvironment} from 'jest-environment-jsdom';
import {type EnvironmentClass, withTaskdump} from '../environment';

function loadJsdom(): typeof JsdomEnvironment {
  try {
    return (
      require('jest-environment-jsdom') as {
        TestEnvironment: typeof JsdomEnvironment;
      }
    ).TestEnvironment;
  } catch (error) {
    if ((error as {code?: string}).code !== 'MODULE_NOT_FOUND') throw error;
    throw new Error(
      'jest-taskdump/jsdom needs jest-environment-jsdom, which is not installed. ' +
        'Install the version of your Jest: npm install --save-dev jest-environment-jsdom@<your jest major version>.',
    );
  }
}

/**
 * jest-environment-jsdom with a traced Root around every test and hook, and
 * dumps on timeouts.
 */
export default class TaskdumpJsdomEnvironment extends withTaskdump(
  loadJsdom() as unknown as EnvironmentClass & typeof JsdomEnvironment,
) {}
export {TaskdumpJsdomEnvironment as TestEnvironment};
