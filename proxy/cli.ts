#!/usr/bin/env node
// `node dist/proxy/cli.js [configurable-http-proxy flags]`: the proxy on its own, without the hub
// (the entry point of the proxy image). `sciencehub proxy` runs the same code.
import { runProxyCli } from './main';

void runProxyCli(process.argv.slice(2));
