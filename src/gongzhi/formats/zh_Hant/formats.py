from gongzhi.formats import iso_first

globals().update(iso_first("zh_Hant"))
