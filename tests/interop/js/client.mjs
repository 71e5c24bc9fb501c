#!/usr/bin/env node
// A tuf-js client with the command-line shape of the tuf-conformance client protocol,
// used by the interoperability tests as an independent second TUF implementation.
//
//   client.mjs --metadata-dir D init TRUSTED_ROOT_FILE
//   client.mjs --metadata-url U --metadata-dir D refresh
//   client.mjs --metadata-url U --metadata-dir D lookup --target-name PATH
//   client.mjs --metadata-url U --metadata-dir D download --target-name PATH \
//              --target-base-url T --target-dir TD
//
// Exit status: 0 success, 1 the client refused or failed (one line on stderr),
// 2 usage error. `lookup` prints the target info as JSON (or `null`); `download`
// prints the target info and the local file name as JSON. Verified metadata is
// cached by tuf-js as D/<role>.json, which is where callers read it back.

import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import { Updater } from 'tuf-js';

const USAGE = 'usage: client.mjs --metadata-dir D [--metadata-url U] ' +
  '(init ROOT | refresh | lookup --target-name P | ' +
  'download --target-name P --target-base-url T --target-dir TD)';

class UsageError extends Error {}

function required(values, name) {
  const value = values[name];
  if (value === undefined || value === '') {
    throw new UsageError(`--${name} is required`);
  }
  return value;
}

function updater(values) {
  return new Updater({
    metadataDir: required(values, 'metadata-dir'),
    metadataBaseUrl: required(values, 'metadata-url'),
    targetDir: values['target-dir'],
    targetBaseUrl: values['target-base-url'],
    // A test must fail fast rather than retry against a local server.
    config: { fetchTimeout: 10000, fetchRetries: 0 },
  });
}

function describe(info) {
  if (info === undefined) {
    return null;
  }
  return { path: info.path, length: info.length, hashes: info.hashes };
}

function errorLine(error) {
  // tuf-js error classes do not set `name`, so use the constructor's name.
  const kind = error?.constructor?.name ?? 'Error';
  return `${kind}: ${error?.message ?? String(error)}`;
}

async function main(argv) {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      'metadata-dir': { type: 'string' },
      'metadata-url': { type: 'string' },
      'target-name': { type: 'string' },
      'target-base-url': { type: 'string' },
      'target-dir': { type: 'string' },
    },
  });
  const [command, ...rest] = positionals;
  switch (command) {
    case 'init': {
      if (rest.length !== 1) {
        throw new UsageError('init takes exactly one trusted root file');
      }
      const dir = required(values, 'metadata-dir');
      mkdirSync(dir, { recursive: true });
      // tuf-js has no bootstrap argument: it trusts D/root.json as the starting root.
      copyFileSync(rest[0], join(dir, 'root.json'));
      return;
    }
    case 'refresh': {
      await updater(values).refresh();
      return;
    }
    case 'lookup': {
      const targetName = required(values, 'target-name');
      const info = await updater(values).getTargetInfo(targetName);
      process.stdout.write(`${JSON.stringify(describe(info))}\n`);
      return;
    }
    case 'download': {
      const targetName = required(values, 'target-name');
      required(values, 'target-base-url');
      const targetDir = required(values, 'target-dir');
      mkdirSync(targetDir, { recursive: true });
      const client = updater(values);
      const info = await client.getTargetInfo(targetName);
      if (info === undefined) {
        throw new Error(`target ${targetName} not found`);
      }
      const file = (await client.findCachedTarget(info)) ?? (await client.downloadTarget(info));
      process.stdout.write(`${JSON.stringify({ target: describe(info), file })}\n`);
      return;
    }
    default:
      throw new UsageError(`unknown command ${JSON.stringify(command ?? '')}`);
  }
}

try {
  await main(process.argv.slice(2));
  process.exitCode = 0;
} catch (error) {
  if (error instanceof UsageError || error?.code?.startsWith?.('ERR_PARSE_ARGS')) {
    process.stderr.write(`${error.message}\n${USAGE}\n`);
    process.exitCode = 2;
  } else {
    process.stderr.write(`${errorLine(error)}\n`);
    process.exitCode = 1;
  }
}
