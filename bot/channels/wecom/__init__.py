"""WeCom (企业微信) 智能机器人 in long-connection mode."""
