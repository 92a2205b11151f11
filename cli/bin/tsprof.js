#!/usr/bin/env node
// The `tsprof` command. A committed launcher rather than dist/bin.js itself: npm links package
// bins before the root `prepare` script builds dist/, and links nothing for a file not yet there.
require("../dist/bin.js");
