"""The browser pages (plain HTML, CSS and JS files). A package only so that an installed wheel
carries them beside the code: the server finds them through this file, in a checkout or installed."""
