"""The curators' desk: a small web page, served by the bot's own aiohttp server at /curator, to
try the bot, see what it missed, teach it and check the facts.

Off unless BOT_CURATOR_TOKEN is set; listens on loopback unless BOT_CURATOR_HOST says otherwise.
Every page calls the same functions as the command line (`ask`, `try`, `report`, `teach`,
`facts`), so nothing here is a second implementation of the bot.
"""
