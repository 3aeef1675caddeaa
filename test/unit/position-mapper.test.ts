import type {CallSite} from '../../src/core/callsites';
import {createPositionMapper, escapesPackage} from '../../src/core/callsites';

// A source map that takes a package's file out of the package (typeorm's
// `../../../src/…` resolves into the project that installed it) names no file
// of the program: V8's position is kept.

const site = (file: string, line: number, column: number): CallSite =>
  ({
    getFileName: () => file,
    getLineNumber: () => line,
    getColumnNumber: () => column,
  }) as unknown as CallSite;

describe('a source map that leaves its package', () => {
  test('is not followed; one within the package, or the program’s own, is', () => {
    const formatter = (_e: Error, sites: CallSite[]): string => {
      const f = sites[0].getFileName() ?? '';
      const to = f.includes('typeorm')
        ? '/p/src/persistence/SubjectExecutor.ts'
        : f.includes('lru-cache')
          ? '/p/node_modules/lru-cache/src/index.ts'
          : '/p/src/app.ts';
      return `E\n    at f (${to}:185:31)`;
    };
    const map = createPositionMapper(formatter);
    expect(
      map(site('/p/node_modules/typeorm/persistence/SubjectExecutor.js', 9, 5)),
    ).toEqual({
      file: '/p/node_modules/typeorm/persistence/SubjectExecutor.js',
      line: 9,
      column: 5,
    });
    expect(
      map(site('/p/node_modules/lru-cache/dist/commonjs/index.js', 9, 5)),
    ).toEqual({
      file: '/p/node_modules/lru-cache/src/index.ts',
      line: 185,
      column: 31,
    });
    expect(map(site('/p/dist/app.js', 9, 5))).toEqual({
      file: '/p/src/app.ts',
      line: 185,
      column: 31,
    });
  });

  test('a scoped package, and a source that is no path', () => {
    expect(
      escapesPackage('/p/node_modules/@grpc/grpc-js/build/a.js', '/p/src/a.ts'),
    ).toBe(true);
    expect(
      escapesPackage(
        '/p/node_modules/@grpc/grpc-js/build/a.js',
        '/p/node_modules/@grpc/grpc-js/src/a.ts',
      ),
    ).toBe(false);
    expect(
      escapesPackage('/p/node_modules/x/a.js', 'webpack://x/src/a.ts'),
    ).toBe(false);
  });
});
