#!/usr/bin/env node
// The `tsprof` command. A committed launcher rather than dist/bin.js itself: npm links package
// bins before the root `prepare` script builds dist/, and links nothing for a file not yet there.
// It also turns away a Node older than tsprof supports before loading anything that needs it
// (module.register arrived in 20.6); written in old syntax so that old Nodes can parse it.
"use strict";
var SUPPORTED = ">=20.6 (Node 20, 22 and 24 are tested)";
var parts = process.versions.node.split(".");
var major = Number(parts[0]);
var minor = Number(parts[1]);
if (major < 20 || (major === 20 && minor < 6)) {
  process.stderr.write("tsprof: Node " + process.versions.node + " is not supported; tsprof needs Node " + SUPPORTED + "\n");
  process.exit(2);
}
require("../dist/bin.js");
