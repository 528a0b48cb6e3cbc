// Types for what Vite handles at build time (here: importing a package's CSS).
/// <reference types="vite/client" />
