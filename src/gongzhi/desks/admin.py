from django.contrib import admin

from gongzhi.desks.models import Station

admin.site.register(Station)
